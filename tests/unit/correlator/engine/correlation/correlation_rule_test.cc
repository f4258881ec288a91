#include "correlator/engine/correlation/correlation_rule.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Parsed {
  absl::StatusOr<CorrelationRule> rule;
  std::vector<std::string> errors;
};

Parsed Parse(const std::string& yaml) {
  Parsed p;
  ErrorList errors("rules/corr.yml", &p.errors);
  p.rule = ParseCorrelation(YAML::Load(yaml), "rules/corr.yml", &errors);
  return p;
}

TEST(ParseCorrelation, ReadsAllFields) {
  Parsed p = Parse(R"(title: Web shell chain
id: 11111111-2222-3333-4444-555555555555
name: webshell_chain
level: critical
tags: [attack.persistence, attack.t1505.003]
generate: true
correlation:
  type: temporal_ordered
  rules: [aspx_written, aspx_requested, w3wp_shell]
  group-by: [host]
  timespan: 30m
  aliases:
    host: {aspx_written: Computer, aspx_requested: s-computername, w3wp_shell: Computer}
)");
  ASSERT_TRUE(p.rule.ok()) << p.rule.status() << " " << ::testing::PrintToString(p.errors);
  const CorrelationRule& r = *p.rule;
  EXPECT_EQ(r.type, CorrelationType::kTemporalOrdered);
  EXPECT_THAT(r.rules, ElementsAre("aspx_written", "aspx_requested", "w3wp_shell"));
  EXPECT_THAT(r.group_by, ElementsAre("host"));
  EXPECT_EQ(r.timespan_us, int64_t{30} * 60 * 1'000'000);
  EXPECT_TRUE(r.generate);
  EXPECT_EQ(r.metadata.severity, v1::SEVERITY_CRITICAL);
  EXPECT_THAT(r.metadata.technique_ids, ElementsAre("T1505.003"));
  EXPECT_EQ(r.aliases.at("host").at("aspx_requested"), "s-computername");
  EXPECT_EQ(r.metadata.id, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(r.RuleIndex("w3wp_shell"), 2);
}

TEST(ParseCorrelation, ValueCountRange) {
  Parsed p = Parse(R"(title: Many users
correlation:
  type: value_count
  rules: failed_logon
  group-by: [SourceIP]
  timespan: 5m
  condition: {field: TargetUserName, gte: 3, lt: 100}
)");
  ASSERT_TRUE(p.rule.ok()) << ::testing::PrintToString(p.errors);
  EXPECT_EQ(p.rule->value_field, "TargetUserName");
  EXPECT_TRUE(p.rule->condition.Matches(3));
  EXPECT_FALSE(p.rule->condition.Matches(2));
  EXPECT_FALSE(p.rule->condition.Matches(100));
  EXPECT_FALSE(p.rule->generate);
}

TEST(ParseCorrelation, Timespans) {
  EXPECT_EQ(ParseTimespan("10s"), int64_t{10'000'000});
  EXPECT_EQ(ParseTimespan("5m"), int64_t{300'000'000});
  EXPECT_EQ(ParseTimespan("1h"), int64_t{3'600'000'000});
  EXPECT_EQ(ParseTimespan("2d"), int64_t{172'800'000'000});
  EXPECT_EQ(ParseTimespan("10x"), std::nullopt);
  EXPECT_EQ(ParseTimespan("m"), std::nullopt);
  EXPECT_EQ(ParseTimespan("1.5h"), std::nullopt);
  EXPECT_EQ(ParseTimespan("10M"), std::nullopt);
}

TEST(ParseCorrelation, BadTypeHasFileAndLine) {
  Parsed p = Parse(R"(title: x
correlation:
  type: event_sum
  rules: [a]
  timespan: 10s
  condition: {gte: 2}
)");
  EXPECT_FALSE(p.rule.ok());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0], HasSubstr("rules/corr.yml:3: unknown correlation type 'event_sum'"));
}

TEST(ParseCorrelation, MetricTypesAreNotSupportedYet) {
  Parsed p = Parse(R"(title: x
correlation:
  type: value_sum
  rules: [a]
  timespan: 1h
  condition: {field: bytes, gt: 1000000}
)");
  EXPECT_FALSE(p.rule.ok());
  ASSERT_FALSE(p.errors.empty());
  EXPECT_THAT(p.errors[0], HasSubstr("rules/corr.yml:3: correlation type 'value_sum' is not "
                                     "supported yet"));
}

TEST(ParseCorrelation, BadTimespanHasFileAndLine) {
  Parsed p = Parse(R"(title: x
correlation:
  type: event_count
  rules: [a]
  timespan: 10x
  condition: {gte: 2}
)");
  EXPECT_FALSE(p.rule.ok());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0], HasSubstr("rules/corr.yml:5: bad timespan '10x'"));
}

TEST(ParseCorrelation, UnknownKeysAreErrorsWithReason) {
  Parsed p = Parse(R"(title: x
timeframe: 5m
correlation:
  type: event_count
  rules: [a]
  timespan: 10s
  window: sliding
  condition: {gte: 2}
)");
  EXPECT_FALSE(p.rule.ok());
  EXPECT_THAT(p.errors, ElementsAre(HasSubstr("rules/corr.yml:2: unknown key 'timeframe'"),
                                    HasSubstr("rules/corr.yml:7: unknown key 'window' in "
                                              "correlation")));
}

TEST(ParseCorrelation, ConditionProblems) {
  Parsed upper_only = Parse(R"(title: x
correlation: {type: event_count, rules: [a], timespan: 10s, condition: {lt: 5}}
)");
  EXPECT_FALSE(upper_only.rule.ok());
  EXPECT_THAT(upper_only.errors, ElementsAre(HasSubstr("without a lower bound")));

  Parsed no_field = Parse(R"(title: x
correlation: {type: value_count, rules: [a], timespan: 10s, condition: {gte: 5}}
)");
  EXPECT_THAT(no_field.errors, ElementsAre(HasSubstr("value_count needs 'condition.field'")));

  Parsed missing = Parse(R"(title: x
correlation: {type: event_count, rules: [a], timespan: 10s}
)");
  EXPECT_THAT(missing.errors, ElementsAre(HasSubstr("'condition' is required")));

  Parsed boolean = Parse(R"(title: x
correlation: {type: temporal, rules: [a, b], timespan: 10s, condition: a and not b}
)");
  EXPECT_THAT(boolean.errors, ElementsAre(HasSubstr("not supported yet")));
}

TEST(ParseCorrelation, CollectsEveryProblem) {
  Parsed p = Parse(R"(level: severe
correlation:
  type: temporal
  rules: [a, a]
  timespan: 0s
)");
  EXPECT_FALSE(p.rule.ok());
  EXPECT_EQ(p.errors.size(), 4u) << ::testing::PrintToString(p.errors);  // title, level, dup, 0s
}

}  // namespace
}  // namespace tripline::correlator::engine
