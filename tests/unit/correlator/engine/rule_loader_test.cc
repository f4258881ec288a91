// Loading: every problem as file:line, all of them at once, good rules still loaded.
#include "correlator/engine/rule_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_join.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

using testing::LoadRules;

// Line numbers in the comments are what the errors must name.
const char kBadModifier[] =
    "title: Bad modifier\n"                         // 1
    "id: 1\n"                                       // 2
    "logsource:\n"                                  // 3
    "  category: process_creation\n"                // 4
    "  product: windows\n"                          // 5
    "detection:\n"                                  // 6
    "  selection:\n"                                // 7
    "    CommandLine|contains: whoami\n"            // 8
    "    Image|endswith|c: '\\cmd.exe'\n"           // 9
    "  condition: selection\n";                     // 10

TEST(RuleLoaderTest, UnknownModifierNamesFileAndLine) {
  LoadResult r = LoadRules(kBadModifier, "rules/bad_modifier.yml");
  ASSERT_EQ(r.errors.size(), 1u) << absl::StrJoin(r.errors, "\n");
  EXPECT_EQ(r.errors[0], "rules/bad_modifier.yml:9: 'Image|endswith|c': unknown modifier 'c'");
  EXPECT_EQ(r.rules->size(), 0u);
}

TEST(RuleLoaderTest, UnknownFieldNamesFileAndLine) {
  LoadResult r = LoadRules(
      "title: Bad field\n"                   // 1
      "logsource:\n"                         // 2
      "  category: webserver\n"              // 3
      "detection:\n"                         // 4
      "  selection:\n"                       // 5
      "    cs-method: POST\n"                // 6
      "    url.pathh|contains: /owa/\n"      // 7
      "  condition: selection\n",            // 8
      "web.yml");
  ASSERT_EQ(r.errors.size(), 1u) << absl::StrJoin(r.errors, "\n");
  // Webserver names that are not in the map become W3C extra columns; a dotted typo is not one.
  EXPECT_EQ(r.errors[0],
            "web.yml:7: unknown field 'url.pathh' for logsource category=webserver "
            "(field map section 'webserver')");
}

TEST(RuleLoaderTest, UnknownProcessFieldNamesFileAndLine) {
  LoadResult r = LoadRules(testing::MakeRule(testing::kProcessLogsource,
                                             "  selection:\n"
                                             "    ParentIntegrityLevel: High\n"
                                             "  condition: selection\n"),
                           "p.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "p.yml:13: unknown field 'ParentIntegrityLevel' for logsource product=windows "
            "category=process_creation (field map section 'process_creation')");
}

TEST(RuleLoaderTest, ConditionErrorsPointAtTheConditionKey) {
  std::string unknown = testing::MakeRule(testing::kProcessLogsource,
                                          "  selection:\n"
                                          "    Image|endswith: '\\cmd.exe'\n"
                                          "  condition: selection and not filter\n");
  LoadResult r = LoadRules(unknown, "c.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "c.yml:14: condition: unknown identifier 'filter' (the rule defines: selection)");
  std::string unbalanced = testing::MakeRule(testing::kProcessLogsource,
                                             "  selection:\n"
                                             "    Image|endswith: '\\cmd.exe'\n"
                                             "  condition: (selection\n");
  r = LoadRules(unbalanced, "u.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "u.yml:14: condition: unbalanced parenthesis: missing ')'");
}

TEST(RuleLoaderTest, LogsourceWithoutFieldMapIsOneErrorPerRule) {
  LoadResult r = LoadRules(
      "title: Clipboard\n"                        // 1
      "logsource:\n"                              // 2
      "  product: windows\n"                      // 3
      "  category: clipboard_capture\n"           // 4
      "detection:\n"                              // 5
      "  sel:\n"                                  // 6
      "    Image|contains: Temp\n"                // 7
      "    Hashes|contains: ABC\n"                // 8
      "  condition: sel\n",                       // 9
      "clip.yml");
  ASSERT_EQ(r.errors.size(), 1u) << absl::StrJoin(r.errors, "\n");
  EXPECT_EQ(r.errors[0],
            "clip.yml:2: the field map has no section for logsource product=windows "
            "category=clipboard_capture; rule skipped");
}

TEST(RuleLoaderTest, YamlSyntaxErrorHasLine) {
  LoadResult r = LoadRules(
      "title: Broken\n"                  // 1
      "detection:\n"                     // 2
      "  selection:\n"                   // 3
      "    Image: [a, b\n"               // 4
      "  condition: selection\n",        // 5
      "broken.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("broken.yml:5: YAML syntax error", 0), 0u) << r.errors[0];
}

TEST(RuleLoaderTest, CollectsAllProblemsAndKeepsGoodRules) {
  std::string text = testing::MakeRule(testing::kProcessLogsource,
                                       "  selection:\n"
                                       "    Image|endswith: '\\cmd.exe'\n"
                                       "  condition: selection\n",
                                       "good-1") +
                     "---\n" +
                     "title: Two problems\n"                       // 16
                     "logsource:\n"                                // 17
                     "  category: process_creation\n"              // 18
                     "detection:\n"                                // 19
                     "  selection:\n"                              // 20
                     "    Image|expand: '%Admins%'\n"              // 21
                     "    NoSuchThing: x\n"                        // 22
                     "  condition: selection\n"                    // 23
                     "level: severe\n"                             // 24
                     "---\n"                                       // 25
                     "title: A correlation\n"                      // 26
                     "correlation:\n"                              // 27
                     "  type: event_count\n"                       // 28
                     "  rules: [good-1]\n"                         // 29
                     "---\n" +
                     testing::MakeRule(testing::kProcessLogsource,
                                       "  selection:\n"
                                       "    Image|endswith: '\\cmd.exe'\n"
                                       "  condition: selection\n",
                                       "good-1");
  LoadResult r = LoadRules(text, "multi.yml");
  EXPECT_EQ(r.rules->size(), 1u);
  std::vector<std::string> want = {
      "multi.yml:24: unknown level 'severe' (informational, low, medium, high, critical)",
      "multi.yml:21: 'Image|expand': modifier 'expand' is not supported: placeholders (%name%) "
      "need site-specific values, so the rule is rejected as the Sigma spec requires",
      "multi.yml:22: unknown field 'NoSuchThing' for logsource category=process_creation "
      "(field map section 'process_creation')",
      "multi.yml:31: duplicate rule id 'good-1' (first defined at multi.yml:1)",
      // Correlation documents are checked once every detection rule is loaded.
      "multi.yml:28: 'correlation.timespan' is required",
      "multi.yml:28: 'condition' is required",
  };
  EXPECT_EQ(r.errors, want);
}

TEST(RuleLoaderTest, LoadsFoldersRecursively) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(::testing::TempDir()) / "engine_rules_tree";
  fs::remove_all(dir);
  fs::create_directories(dir / "windows" / "process_creation");
  std::ofstream(dir / "windows" / "process_creation" / "a.yml")
      << testing::MakeRule(testing::kProcessLogsource,
                           "  sel:\n    Image|endswith: '\\a.exe'\n  condition: sel\n", "a");
  std::ofstream(dir / "web.yaml")
      << testing::MakeRule(testing::kWebLogsource,
                           "  sel:\n    cs-method: POST\n  condition: sel\n", "w");
  std::ofstream(dir / "notes.txt") << "not a rule";
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths({dir.string(), (dir / "missing").string()});
  EXPECT_EQ(r.rules->size(), 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], (dir / "missing").string() + ": no such rule file or folder");
  EXPECT_NE(r.rules->FindById("a"), nullptr);
  EXPECT_EQ(r.rules->FindById("a")->metadata().file,
            (dir / "windows" / "process_creation" / "a.yml").string());
  fs::remove_all(dir);
}

TEST(RuleLoaderTest, MetadataAndAttackTags) {
  LoadResult r = LoadRules(
      "title: Meta\nid: m-1\nname: meta_rule\nstatus: stable\ndescription: d\n"
      "references: [https://example.org/a]\nfalsepositives: [admins]\nlevel: Critical\n"
      "tags: [attack.persistence, attack.t1505.003, attack.T1190, attack.g0125, attack.s0002,"
      " cve.2021-26855]\n"
      "logsource: {category: webserver, product: windows}\n"
      "detection: {sel: {cs-method: POST}, condition: sel}\n");
  ASSERT_TRUE(r.errors.empty()) << absl::StrJoin(r.errors, "\n");
  const RuleMetadata& m = r.rules->rules().front()->metadata();
  EXPECT_EQ(m.severity, v1::SEVERITY_CRITICAL);
  EXPECT_EQ(m.name, "meta_rule");
  EXPECT_EQ(m.technique_ids, (std::vector<std::string>{"T1505.003", "T1190"}));
  EXPECT_EQ(m.tactic_ids, (std::vector<std::string>{"persistence"}));
  EXPECT_EQ(m.logsource.product, "windows");
}

}  // namespace
}  // namespace tripline::correlator::engine
