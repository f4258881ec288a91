// Hostile input: rules with catastrophic regular expressions. Regexes are RE2 (linear time, no
// backtracking): a pattern that takes exponential time in a backtracking engine is an ordinary
// rule here, and what RE2 cannot compile (backreferences, lookaround, repetition blow-ups) is a
// load error naming file, line and pattern, while the other rules of the file load.
#include <gtest/gtest.h>

#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

using testing::LoadRules;
using testing::MakeRule;
using testing::ProcessEvent;

std::string RegexRule(const std::string& pattern, const std::string& id) {
  return MakeRule(testing::kProcessLogsource,
                  "  sel:\n    CommandLine|re: '" + pattern + "'\n  condition: sel\n", id);
}

TEST(HostileRuleTest, PatternsThatBacktrackExponentiallyElsewhereMatchInLinearTime) {
  const std::string rules = RegexRule("^(a+)+$", "11111111-0000-0000-0000-00000000000a") + "---\n" +
                            RegexRule("(x+x+)+y", "11111111-0000-0000-0000-00000000000b") +
                            "---\n" +
                            RegexRule("(.*a){20}", "11111111-0000-0000-0000-00000000000c");
  // 100 000 'a' then '!': a backtracking engine tries 2^100000 ways before giving up.
  EXPECT_EQ(testing::Run(rules, ProcessEvent("C:\\a.exe", std::string(100'000, 'a') + "!")).size(),
            1u);  // only (.*a){20}
  EXPECT_TRUE(testing::Run(rules, ProcessEvent("C:\\a.exe", std::string(100'000, 'x'))).empty());
  EXPECT_EQ(testing::Run(rules, ProcessEvent("C:\\a.exe", std::string(30, 'a'))).size(), 2u);
}

TEST(HostileRuleTest, PatternsRe2CannotRunAreCountedErrorsAndTheOtherRulesLoad) {
  const std::string file =
      RegexRule("(\\w+)\\s+\\1", "22222222-0000-0000-0000-000000000001") + "---\n" +  // backref
      RegexRule("(?=cmd)c", "22222222-0000-0000-0000-000000000002") + "---\n" +       // lookahead
      RegexRule("((a{100}){100}){100}", "22222222-0000-0000-0000-000000000003") + "---\n" +
      RegexRule("\\pL{1000}\\pL{1000}\\pL{1000}", "22222222-0000-0000-0000-000000000004") +
      "---\n" + RegexRule("whoami\\s+/all", "22222222-0000-0000-0000-000000000005");
  LoadResult loaded = LoadRules(file, "hostile.yml");
  ASSERT_TRUE(loaded.rules != nullptr);
  EXPECT_EQ(loaded.rules->size(), 1u) << "only the last rule compiles";
  ASSERT_EQ(loaded.errors.size(), 4u);
  for (const std::string& e : loaded.errors) {
    EXPECT_EQ(e.rfind("hostile.yml:", 0), 0u) << e;
    EXPECT_NE(e.find("invalid regular expression"), std::string::npos) << e;
  }
  EXPECT_NE(loaded.errors[0].find("(\\w+)\\s+\\1"), std::string::npos) << loaded.errors[0];
  EXPECT_NE(loaded.errors[2].find("invalid repetition size"), std::string::npos)
      << loaded.errors[2];
  EXPECT_NE(loaded.errors[3].find("pattern too large"), std::string::npos) << loaded.errors[3];
}

}  // namespace
}  // namespace tripline::correlator::engine
