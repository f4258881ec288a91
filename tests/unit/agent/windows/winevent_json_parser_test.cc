#include "agent/parsers/winevent_json/winevent_json_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace tripline::agent {
namespace {

std::vector<v1::Event> ParseFile(const std::string& name) {
  std::ifstream in(std::string(TRIPLINE_WINDOWS_TESTDATA_DIR) + "/" + name);
  EXPECT_TRUE(in.good()) << name;
  WinEventJsonParser parser;
  std::vector<v1::Event> events;
  std::string line;
  while (std::getline(in, line)) {
    v1::Event event;
    absl::StatusOr<LineKind> kind = parser.Parse(line, event);
    EXPECT_TRUE(kind.ok()) << kind.status();
    if (kind.ok() && *kind == LineKind::kRecord) events.push_back(event);
  }
  return events;
}

// Both layouts hold the same eight events in the same order: the typed bodies must agree.
class BothLayoutsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BothLayoutsTest, TypedBodiesForEveryExchangeSource) {
  std::vector<v1::Event> e = ParseFile(GetParam());
  ASSERT_EQ(e.size(), 8u);

  ASSERT_TRUE(e[0].has_process());  // Sysmon 1: w3wp -> cmd (China Chopper)
  const v1::ProcessStart& p = e[0].process();
  EXPECT_EQ(p.process().executable(), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(p.process().pid(), 6124);
  EXPECT_EQ(p.process().entity_id(), "{A98268C1-3F58-603F-9C03-000000000700}");
  EXPECT_NE(p.process().command_line().find("&whoami&echo [S]&cd&echo [E]"), std::string::npos);
  EXPECT_EQ(p.parent().executable(), "C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(p.parent().name(), "w3wp.exe");
  EXPECT_EQ(p.parent().pid(), 4140);
  EXPECT_NE(p.parent().command_line().find("-ap \"MSExchangeOWAAppPool\""), std::string::npos);
  EXPECT_EQ(p.user_domain(), "NT AUTHORITY");
  EXPECT_EQ(p.user_name(), "SYSTEM");
  EXPECT_EQ(p.integrity_level(), "System");
  EXPECT_EQ(p.original_file_name(), "Cmd.Exe");
  EXPECT_EQ(p.hash_sha256(), "bc866cfcdda37e24dc2634dc282c7a0e6f55209da17a8fa105b07414c0e7c527");
  EXPECT_EQ(p.hash_md5(), "911d039e71583a07320b32bde22f8e22");
  EXPECT_EQ(p.file_version(), "10.0.17763.1 (WinBuild.160101.0800)");
  EXPECT_EQ(p.logon_id(), "0x3e7");
  EXPECT_EQ(p.parent_user_name(), "");  // written by Sysmon 13.30+ only
  EXPECT_EQ(e[0].event_time().seconds(), 1614757752);

  ASSERT_TRUE(e[1].has_network());  // Sysmon 3: PowerShell download
  EXPECT_EQ(e[1].network().transport(), "tcp");
  EXPECT_EQ(e[1].network().direction(), "outbound");
  EXPECT_EQ(e[1].network().destination_ip(), "203.0.113.77");
  EXPECT_EQ(e[1].network().destination_port(), 443u);
  EXPECT_EQ(e[1].network().destination_domain(), "p.estonine.com");
  EXPECT_EQ(e[1].network().source_port(), 52144u);
  EXPECT_EQ(e[1].network().source_domain(), "EXCH01.contoso.local");
  EXPECT_EQ(e[1].network().process().name(), "powershell.exe");

  ASSERT_TRUE(e[2].has_file());  // Sysmon 11: shell dropped in owa\auth
  EXPECT_EQ(e[2].file().action(), v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(e[2].file().name(), "RedirSuiteServerProxy.aspx");
  EXPECT_EQ(e[2].file().extension(), "aspx");
  EXPECT_EQ(e[2].file().process().executable(), "C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(e[2].file().created().seconds(), 1614757711);  // CreationUtcTime 07:48:31.002
  EXPECT_EQ(e[2].file().created().nanos(), 2000000);

  ASSERT_TRUE(e[3].has_process());  // Security 4688
  EXPECT_EQ(e[3].process().process().pid(), 0x17ec);
  EXPECT_EQ(e[3].process().parent().pid(), 0x102c);
  EXPECT_EQ(e[3].process().parent().name(), "w3wp.exe");
  EXPECT_EQ(e[3].process().user_name(), "EXCH01$");
  EXPECT_EQ(e[3].process().logon_id(), "0x3e7");  // SubjectLogonId

  ASSERT_TRUE(e[4].has_service());  // System 7045
  EXPECT_EQ(e[4].service().name(), "Winnet");
  EXPECT_EQ(e[4].service().executable(), "C:\\ProgramData\\VSPerfMon\\vsperfmon.exe");
  EXPECT_EQ(e[4].service().start_type(), "auto start");
  ASSERT_TRUE(e[5].has_service());  // Security 4697
  EXPECT_EQ(e[5].service().start_type(), "auto start");
  EXPECT_EQ(e[5].service().account(), "LocalSystem");

  ASSERT_TRUE(e[6].has_cmdlet());  // MSExchange Management 1
  EXPECT_EQ(e[6].cmdlet().name(), "Set-OabVirtualDirectory");
  EXPECT_TRUE(e[6].cmdlet().succeeded());
  EXPECT_EQ(e[6].cmdlet().parameters().at("Identity"), "OAB (Default Web Site)");
  EXPECT_NE(e[6].cmdlet().parameters().at("ExternalUrl").find("eval(Request[\"code\"],\"unsafe\")"),
            std::string::npos);

  ASSERT_TRUE(e[7].has_windows());  // UM worker crash
  EXPECT_EQ(e[7].windows().level(), 2u);
  EXPECT_EQ(e[7].windows().provider(), "MSExchange Unified Messaging");
  EXPECT_EQ(e[7].windows().channel(), "Application");
  EXPECT_EQ(e[7].windows().record_id(), 88310u);
  EXPECT_NE(e[7].windows().message().find("System.InvalidCastException"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Layouts, BothLayoutsTest,
                         ::testing::Values("nxlog_exchange.jsonl", "winlogbeat_exchange.jsonl"));

TEST(WinEventJsonParserTest, NxlogEnvelopeKeysAreNotEventData) {
  auto r = WinEventJsonParser::ToRecord(
      R"({"EventID":5145,"Channel":"Security","Hostname":"EXCH01","SourceName":"Microsoft-Windows-Security-Auditing",)"
      R"("SeverityValue":2,"RecordNumber":"77","ShareName":"\\\\*\\C$","RelativeTargetName":"inetpub\\wwwroot\\aspnet_client\\a.aspx",)"
      R"("AccessMask":"0x2","IpAddress":"127.0.0.1"})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->event_id, 5145u);
  EXPECT_EQ(r->level, 4u);
  EXPECT_EQ(r->record_id, 77u);
  EXPECT_EQ(r->computer, "EXCH01");
  EXPECT_EQ(r->data.size(), 4u);
  EXPECT_EQ(r->data.at("ShareName"), "\\\\*\\C$");
  EXPECT_FALSE(r->has_time);
}

TEST(WinEventJsonParserTest, DottedWinlogbeatKeysAndUserData) {
  auto r = WinEventJsonParser::ToRecord(
      R"({"winlog.event_id":1102,"winlog.channel":"Security","winlog.provider_name":"Microsoft-Windows-Eventlog",)"
      R"("winlog.user_data":{"SubjectUserName":"attacker","xml_name":"LogFileCleared"},"@timestamp":"2021-03-04T01:00:00Z"})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->event_id, 1102u);
  EXPECT_EQ(r->data.at("SubjectUserName"), "attacker");
  EXPECT_TRUE(r->has_time);
}

TEST(WinEventJsonParserTest, ErrorsNameTheProblem) {
  WinEventJsonParser parser;
  v1::Event e;
  auto bad = parser.Parse(R"({"EventID": 1, "Channel": )", e);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid JSON"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("column"), std::string::npos) << bad.status();

  auto no_id = parser.Parse(R"({"Channel":"Security","Message":"x"})", e);
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("missing event id"), std::string::npos);

  auto no_wl_id = parser.Parse(R"({"winlog":{"channel":"Security"}})", e);
  ASSERT_FALSE(no_wl_id.ok());
  EXPECT_NE(no_wl_id.status().message().find("winlog.event_id"), std::string::npos);

  std::string deep = R"({"EventID":1,"x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  auto too_deep = parser.Parse(deep, e);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("deeper than 64"), std::string::npos);

  auto bad_time = parser.Parse(R"({"EventID":1,"EventTime":"yesterday"})", e);
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.status().message().find("EventTime"), std::string::npos);

  auto array = parser.Parse("[1,2]", e);
  EXPECT_FALSE(array.ok());
}

TEST(WinEventJsonParserTest, BlankLinesAreSkippedAndBracesInStringsDoNotCountAsDepth) {
  WinEventJsonParser parser;
  v1::Event e;
  auto blank = parser.Parse("  \r", e);
  ASSERT_TRUE(blank.ok());
  EXPECT_EQ(*blank, LineKind::kSkipped);
  std::string braces = R"({"EventID":4104,"Channel":"Microsoft-Windows-PowerShell/Operational","ScriptBlockText":")" +
                       std::string(200, '{') + R"("})";
  auto ok = parser.Parse(braces, e);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(e.windows().data().at("ScriptBlockText").size(), 200u);
}

TEST(WinEventJsonParserTest, NonStringValuesAreRendered) {
  auto r = WinEventJsonParser::ToRecord(
      R"({"EventID":"4624","LogonType":3,"Elevated":true,"Nothing":null,"Nested":{"A":[1,2]}})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->event_id, 4624u);
  EXPECT_EQ(r->data.at("LogonType"), "3");
  EXPECT_EQ(r->data.at("Elevated"), "true");
  EXPECT_EQ(r->data.at("Nothing"), "");
  EXPECT_EQ(r->data.at("A"), "[1,2]");
}

TEST(WinEventJsonParserTest, EveryPrefixOfAFixtureLineIsHandled) {
  std::ifstream in(std::string(TRIPLINE_WINDOWS_TESTDATA_DIR) + "/winlogbeat_exchange.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  WinEventJsonParser parser;
  int errors = 0;
  for (size_t n = 0; n < line.size(); ++n) {
    v1::Event e;
    absl::StatusOr<LineKind> kind = parser.Parse(std::string_view(line).substr(0, n), e);
    errors += kind.ok() ? 0 : 1;
  }
  EXPECT_EQ(errors, static_cast<int>(line.size()) - 1);  // all but the empty prefix
}

}  // namespace
}  // namespace tripline::agent
