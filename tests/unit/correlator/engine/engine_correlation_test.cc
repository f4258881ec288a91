// Sigma correlation rules loaded with their base rules and fed by the engine, end to end in the
// library: a detection rule's matches go to the correlation, grouped by fields resolved for that
// rule's logsource.
#include <gtest/gtest.h>

#include "correlator/engine/engine.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

constexpr const char* kRules = testing::kOwaProbingRules;

v1::Event Request(const std::string& ip, const std::string& path, int64_t seconds) {
  v1::Event e = testing::HttpEvent("GET", path);
  e.mutable_http()->set_source_ip(ip);
  e.mutable_event_time()->set_seconds(1614913587 + seconds);
  e.set_event_id(ip + path + std::to_string(seconds));
  return e;
}

TEST(EngineCorrelation, ThreeProbesFromOneClientWithinAMinuteRaiseOneCorrelationAlert) {
  LoadResult loaded = testing::LoadRules(kRules, "probing.yml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  ASSERT_EQ(loaded.rules->correlations().size(), 1u);
  Engine engine(loaded.rules);
  std::vector<v1::Alert> alerts;
  engine.Process(Request("203.0.113.7", "/owa/auth/a.aspx", 0), &alerts);
  engine.Process(Request("198.51.100.1", "/owa/auth/b.aspx", 5), &alerts);  // another client
  engine.Process(Request("203.0.113.7", "/owa/auth/c.aspx", 20), &alerts);
  EXPECT_TRUE(alerts.empty()) << "the base rule does not generate alerts of its own";
  engine.Process(Request("203.0.113.7", "/owa/auth/d.aspx", 50), &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().id(), "11111111-0000-0000-0000-000000000002");
  EXPECT_EQ(alerts[0].rule().kind(), "correlation");
  EXPECT_EQ(alerts[0].group_key(), "203.0.113.7");
  EXPECT_EQ(alerts[0].event_ids_size(), 3);
  EXPECT_EQ(alerts[0].severity(), v1::SEVERITY_HIGH);
  // Outside the minute from the last ones: nothing more.
  engine.Process(Request("203.0.113.7", "/owa/auth/e.aspx", 200), &alerts);
  EXPECT_EQ(alerts.size(), 1u);
}

// The engine's caps reach every stateful rule: with room for two clients, a third pushes the
// least recently seen one out, and the engine's totals count it.
TEST(EngineCorrelation, StateCapsEvictAndCountWhatTheyPushOut) {
  LoadResult loaded = testing::LoadRules(kRules, "probing.yml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  Engine engine(loaded.rules);
  StateCaps caps;
  caps.max_keys = 2;
  caps.max_per_key = 2;
  engine.set_state_caps(caps);
  std::vector<v1::Alert> alerts;
  engine.Process(Request("203.0.113.1", "/owa/auth/a.aspx", 0), &alerts);
  engine.Process(Request("203.0.113.2", "/owa/auth/a.aspx", 1), &alerts);
  EXPECT_EQ(engine.state_totals().evicted, 0u);
  engine.Process(Request("203.0.113.3", "/owa/auth/a.aspx", 2), &alerts);
  EXPECT_EQ(engine.state_totals().evicted, 1u) << "a third key with room for two";
  for (int i = 0; i < 3; ++i) {
    engine.Process(Request("203.0.113.3", "/owa/auth/b" + std::to_string(i) + ".aspx", 3 + i),
                   &alerts);
  }
  EXPECT_GE(engine.state_totals().evicted, 2u) << "a key holds two buffered events at most";
}

TEST(EngineCorrelation, GenerateTrueKeepsTheBaseRuleAlerts) {
  std::string rules(kRules);
  rules.replace(rules.find("  condition: {gte: 3}"), 0, "  generate: true\n");
  LoadResult loaded = testing::LoadRules(rules, "probing.yml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0];
  Engine engine(loaded.rules);
  std::vector<v1::Alert> alerts;
  engine.Process(Request("203.0.113.7", "/owa/auth/a.aspx", 0), &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().kind(), "sigma");
}

TEST(EngineCorrelation, UnknownBaseRuleAndUnknownGroupFieldAreErrorsWithTheLine) {
  std::string rules(kRules);
  rules.replace(rules.find("rules: [owa_auth_aspx]"), 22, "rules: [no_such_rule]");
  LoadResult loaded = testing::LoadRules(rules, "probing.yml");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0],
            "probing.yml:12: correlation 'Web shell probing from one client': no loaded rule "
            "named 'no_such_rule'");
  std::string bad_field(kRules);
  bad_field.replace(bad_field.find("group-by: [c-ip]"), 16, "group-by: [url.pathh]");
  loaded = testing::LoadRules(bad_field, "probing.yml");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].find("probing.yml:12: correlation"), std::string::npos)
      << loaded.errors[0];
  EXPECT_NE(loaded.errors[0].find("url.pathh"), std::string::npos) << loaded.errors[0];
}

}  // namespace
}  // namespace tripline::correlator::engine
