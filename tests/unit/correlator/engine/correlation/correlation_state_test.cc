#include "correlator/engine/correlation/correlation_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kSec = 1'000'000;

google::protobuf::Timestamp FixedNow() { return TimestampFromMicros(42); }

std::shared_ptr<const CorrelationRule> Rule(const std::string& yaml) {
  std::vector<std::string> problems;
  ErrorList errors("test.yml", &problems);
  absl::StatusOr<CorrelationRule> rule = ParseCorrelation(YAML::Load(yaml), "test.yml", &errors);
  EXPECT_TRUE(rule.ok()) << ::testing::PrintToString(problems);
  return std::make_shared<const CorrelationRule>(*rule);
}

// A harness that numbers events e1, e2, ... and keeps every alert.
class Harness {
 public:
  Harness(const std::string& yaml, CorrelationLimits limits = {})
      : state_(Rule(yaml), limits,
               [](std::string_view, const v1::Event& e) -> std::optional<std::string> {
                 if (e.http().source_ip().empty()) return std::nullopt;
                 return e.http().source_ip();
               },
               &FixedNow) {}

  // Returns the number of alerts this event raised.
  size_t Feed(std::string_view rule, const std::string& group, int64_t time_us,
              const std::string& value = "") {
    v1::Event event;
    event.set_event_id("e" + std::to_string(++n_));
    event.mutable_host()->set_name(group);
    event.mutable_http()->set_source_ip(value);
    const size_t before = alerts.size();
    state_.Observe(rule, {group}, time_us, event, &alerts);
    return alerts.size() - before;
  }

  CorrelationState& state() { return state_; }
  std::vector<v1::Alert> alerts;

 private:
  CorrelationState state_;
  int n_ = 0;
};

const char* const kEventCount = R"(title: Brute force
id: bf-1
level: high
tags: [attack.credential_access, attack.t1110]
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [host]
  timespan: 10s
  condition: {gte: 3}
)";

TEST(EventCount, FiresWithinTimespanAndBuildsAlert) {
  Harness h(kEventCount);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 100 * kSec), 0u);
  EXPECT_EQ(h.Feed("other_rule", "web1", 101 * kSec), 0u);  // not a base rule: ignored
  EXPECT_EQ(h.Feed("failed_logon", "web1", 105 * kSec), 0u);
  ASSERT_EQ(h.Feed("failed_logon", "web1", 109 * kSec), 1u);
  const v1::Alert& a = h.alerts[0];
  EXPECT_EQ(a.rule().kind(), "correlation");
  EXPECT_EQ(a.rule().id(), "bf-1");
  EXPECT_EQ(a.rule().title(), "Brute force");
  EXPECT_EQ(a.severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(a.attack_technique_ids(), ElementsAre("T1110"));
  EXPECT_THAT(a.attack_tactic_ids(), ElementsAre("credential_access"));
  EXPECT_EQ(a.group_key(), "web1");
  EXPECT_EQ(MicrosFromTimestamp(a.window_start()), 100 * kSec);
  EXPECT_EQ(MicrosFromTimestamp(a.window_end()), 109 * kSec);
  EXPECT_THAT(a.event_ids(), ElementsAre("e1", "e3", "e4"));
  EXPECT_EQ(a.events_size(), 3);
  EXPECT_EQ(a.alert_id(), StableId({"bf-1", "web1", "e1"}));
  EXPECT_EQ(a.host().name(), "web1");
  EXPECT_EQ(h.state().counters().fired, 1u);
  EXPECT_EQ(h.state().counters().observed, 3u);
}

TEST(EventCount, ExactlyTimespanApartDoesNotFire) {
  Harness h(kEventCount);
  h.Feed("failed_logon", "web1", 100 * kSec);
  h.Feed("failed_logon", "web1", 105 * kSec);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 110 * kSec), 0u);  // 100..110 is not < 10s
  // The window slides: 105, 110 and one more within 10s of 105 fire.
  EXPECT_EQ(h.Feed("failed_logon", "web1", 114 * kSec), 1u);
  EXPECT_THAT(h.alerts[0].event_ids(), ElementsAre("e2", "e3", "e4"));
}

TEST(EventCount, JustInsideTimespanFires) {
  Harness h(kEventCount);
  h.Feed("failed_logon", "web1", 100 * kSec);
  h.Feed("failed_logon", "web1", 105 * kSec);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 110 * kSec - 1), 1u);
}

TEST(EventCount, FiresOnceThenConsumes) {
  Harness h(kEventCount);
  for (int i = 0; i < 3; ++i) h.Feed("failed_logon", "web1", (100 + i) * kSec);
  EXPECT_EQ(h.alerts.size(), 1u);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 103 * kSec), 0u);  // contributors consumed
  EXPECT_EQ(h.Feed("failed_logon", "web1", 104 * kSec), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 105 * kSec), 1u);  // a new, full window
}

TEST(EventCount, GroupBySeparatesKeys) {
  Harness h(kEventCount);
  h.Feed("failed_logon", "web1", 100 * kSec);
  h.Feed("failed_logon", "web2", 101 * kSec);
  h.Feed("failed_logon", "web1", 102 * kSec);
  EXPECT_EQ(h.Feed("failed_logon", "web2", 103 * kSec), 0u);
  EXPECT_EQ(h.state().tracked_keys(), 2u);
  EXPECT_EQ(h.Feed("failed_logon", "web1", 104 * kSec), 1u);
  EXPECT_EQ(h.alerts[0].group_key(), "web1");
}

TEST(ValueCount, CountsDistinctValues) {
  Harness h(R"(title: Spray
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [host]
  timespan: 1m
  condition: {field: IpAddress, gte: 3}
)");
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 1 * kSec, "10.0.0.1"), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 2 * kSec, "10.0.0.1"), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 3 * kSec, "10.0.0.2"), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 4 * kSec, ""), 0u);  // no value: not counted
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 5 * kSec, "10.0.0.2"), 0u);
  ASSERT_EQ(h.Feed("failed_logon", "dc1", 6 * kSec, "10.0.0.3"), 1u);
  EXPECT_EQ(h.alerts[0].event_ids_size(), 6);
}

TEST(ValueCount, DistinctValuesOutsideTimespanDoNotCount) {
  Harness h(R"(title: Spray
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [host]
  timespan: 1m
  condition: {field: IpAddress, gte: 2}
)");
  h.Feed("failed_logon", "dc1", 0, "10.0.0.1");
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 60 * kSec, "10.0.0.2"), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 61 * kSec, "10.0.0.2"), 0u);
  EXPECT_EQ(h.Feed("failed_logon", "dc1", 62 * kSec, "10.0.0.3"), 1u);
}

const char* const kTemporal = R"(title: Chain
correlation:
  type: temporal
  rules: [drop, request, shell]
  group-by: [host]
  timespan: 30m
)";
const char* const kOrdered = R"(title: Chain
correlation:
  type: temporal_ordered
  rules: [drop, request, shell]
  group-by: [host]
  timespan: 30m
)";

TEST(Temporal, AnyOrderFires) {
  Harness h(kTemporal);
  h.Feed("shell", "ex1", 0);
  h.Feed("request", "ex1", 60 * kSec);
  EXPECT_EQ(h.Feed("drop", "ex1", 120 * kSec), 1u);
}

TEST(Temporal, MissingRuleOrTooFarApartDoesNotFire) {
  Harness h(kTemporal);
  h.Feed("drop", "ex1", 0);
  EXPECT_EQ(h.Feed("request", "ex1", 20 * kSec), 0u);
  EXPECT_EQ(h.Feed("shell", "ex1", 30 * 60 * kSec), 0u);  // exactly 30m after the first drop
  EXPECT_EQ(h.Feed("shell", "ex2", 40 * kSec), 0u);        // other host
  EXPECT_TRUE(h.alerts.empty());
}

TEST(TemporalOrdered, ListedOrderFiresReverseDoesNot) {
  Harness ordered(kOrdered);
  ordered.Feed("drop", "ex1", 0);
  ordered.Feed("shell", "ex1", 5 * kSec);  // out of sequence, skipped
  ordered.Feed("request", "ex1", 10 * kSec);
  ASSERT_EQ(ordered.Feed("shell", "ex1", 20 * kSec), 1u);
  EXPECT_THAT(ordered.alerts[0].event_ids(), ElementsAre("e1", "e3", "e4"));

  Harness reverse(kOrdered);
  reverse.Feed("shell", "ex1", 0);
  reverse.Feed("request", "ex1", 10 * kSec);
  EXPECT_EQ(reverse.Feed("drop", "ex1", 20 * kSec), 0u);
}

TEST(OutOfOrder, WithinLatenessIsInsertedInTimeOrder) {
  CorrelationLimits limits;
  limits.allowed_lateness_us = 60 * kSec;
  Harness h(kOrdered, limits);
  h.Feed("drop", "ex1", 100 * kSec);
  h.Feed("shell", "ex1", 300 * kSec);
  h.state().AdvanceWatermark(300 * kSec);
  // The request happened in between but arrives last, 50s behind the watermark.
  ASSERT_EQ(h.Feed("request", "ex1", 250 * kSec), 1u);
  EXPECT_THAT(h.alerts[0].event_ids(), ElementsAre("e1", "e3", "e2"));
  EXPECT_EQ(MicrosFromTimestamp(h.alerts[0].window_end()), 300 * kSec);
  EXPECT_EQ(h.state().counters().late, 0u);
}

TEST(OutOfOrder, EventCountWindowFormedByLateEvent) {
  CorrelationLimits limits;
  limits.allowed_lateness_us = 30 * kSec;
  Harness h(kEventCount, limits);
  h.Feed("failed_logon", "web1", 100 * kSec);
  h.Feed("failed_logon", "web1", 112 * kSec);  // too far from 100
  EXPECT_EQ(h.Feed("failed_logon", "web1", 104 * kSec), 0u);  // 100,104 and 104,112: two each
  // 111 completes the window 104..112, which ends at an event that arrived earlier.
  ASSERT_EQ(h.Feed("failed_logon", "web1", 111 * kSec), 1u);
  EXPECT_THAT(h.alerts[0].event_ids(), ElementsAre("e3", "e4", "e2"));
  EXPECT_EQ(MicrosFromTimestamp(h.alerts[0].window_start()), 104 * kSec);
  EXPECT_EQ(MicrosFromTimestamp(h.alerts[0].window_end()), 112 * kSec);
}

TEST(OutOfOrder, BeyondLatenessIsCountedLateAndIgnored) {
  CorrelationLimits limits;
  limits.allowed_lateness_us = 10 * kSec;
  Harness h(kOrdered, limits);
  h.Feed("drop", "ex1", 100 * kSec);
  h.Feed("shell", "ex1", 300 * kSec);
  h.state().AdvanceWatermark(300 * kSec);
  EXPECT_EQ(h.Feed("request", "ex1", 250 * kSec), 0u);
  EXPECT_EQ(h.state().counters().late, 1u);
  EXPECT_EQ(h.state().counters().fired, 0u);
}

TEST(Watermark, ExpiryFreesState) {
  Harness h(kEventCount);
  h.Feed("failed_logon", "web1", 100 * kSec);
  h.Feed("failed_logon", "web2", 105 * kSec);
  h.Feed("failed_logon", "web2", 106 * kSec);
  EXPECT_EQ(h.state().tracked_keys(), 2u);
  EXPECT_EQ(h.state().buffered_events(), 3u);
  h.state().AdvanceWatermark(110 * kSec);  // web1's event cannot reach any future event
  EXPECT_EQ(h.state().tracked_keys(), 1u);
  EXPECT_EQ(h.state().buffered_events(), 2u);
  h.state().AdvanceWatermark(116 * kSec);
  EXPECT_EQ(h.state().tracked_keys(), 0u);
  EXPECT_EQ(h.state().buffered_events(), 0u);
  // And an expired key starts over.
  EXPECT_EQ(h.Feed("failed_logon", "web2", 117 * kSec), 0u);
  EXPECT_EQ(h.state().counters().evicted_keys, 0u);
}

TEST(Caps, KeyCapEvictsOldestKeyAndCounts) {
  CorrelationLimits limits;
  limits.max_keys = 2;
  Harness h(kEventCount, limits);
  h.Feed("failed_logon", "a", 100 * kSec);
  h.Feed("failed_logon", "a", 101 * kSec);
  h.Feed("failed_logon", "b", 102 * kSec);
  h.Feed("failed_logon", "c", 103 * kSec);  // evicts a (newest event at 101 is the oldest)
  EXPECT_EQ(h.state().counters().evicted_keys, 1u);
  EXPECT_EQ(h.state().tracked_keys(), 2u);
  EXPECT_EQ(h.Feed("failed_logon", "a", 104 * kSec), 0u);  // a's two earlier events are gone
  EXPECT_EQ(h.state().counters().evicted_keys, 2u);        // and b made room for it
}

TEST(Caps, PerKeyCapEvictsOldestEventAndCounts) {
  CorrelationLimits limits;
  limits.max_events_per_key = 2;
  limits.allowed_lateness_us = 100 * kSec;
  Harness h(kEventCount, limits);
  h.Feed("failed_logon", "a", 100 * kSec);
  h.Feed("failed_logon", "a", 101 * kSec);
  EXPECT_EQ(h.Feed("failed_logon", "a", 102 * kSec), 0u);  // 100 was evicted: only two
  EXPECT_EQ(h.state().counters().evicted_events, 1u);
  EXPECT_EQ(h.Feed("failed_logon", "a", 99 * kSec), 0u);  // older than all: itself dropped
  EXPECT_EQ(h.state().counters().evicted_events, 2u);
  EXPECT_EQ(h.state().buffered_events(), 2u);
}

TEST(Alert, ContributorsAreBounded) {
  Harness h(R"(title: Flood
correlation: {type: event_count, rules: [r], group-by: [host], timespan: 1h,
              condition: {gte: 150}}
)");
  for (int i = 0; i < 150; ++i) h.Feed("r", "web1", i * kSec);
  ASSERT_EQ(h.alerts.size(), 1u);
  EXPECT_EQ(h.alerts[0].event_ids_size(), 100);
  EXPECT_EQ(h.alerts[0].events_size(), 10);
  EXPECT_EQ(MicrosFromTimestamp(h.alerts[0].window_end()), 149 * kSec);
  EXPECT_EQ(h.state().buffered_events(), 0u);
  EXPECT_EQ(h.state().tracked_keys(), 0u);
}

}  // namespace
}  // namespace tripline::correlator::engine
