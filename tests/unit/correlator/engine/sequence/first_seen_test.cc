// First-seen rules: a value never seen for a key during the baseline period raises one alert the
// first time it appears after it. Plain events in, alerts out; time is event time.
#include "correlator/engine/sequence/first_seen_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/hash.h"
#include "common/time_util.h"
#include "tests/unit/correlator/engine/sequence/sequence_test_util.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;
using testing::ServiceInstalled;

constexpr int64_t kDay = 86400;

constexpr char kNewService[] = R"(tripline: first_seen
title: New service on an Exchange server
id: fs-service
level: high
tags: [attack.persistence, attack.t1543.003]
logsource: {product: windows, service: system}
detection:
  sel: {EventID: 7045}
  condition: sel
key: [host.name]
value: ServiceName
baseline: 7d
)";

class Harness {
 public:
  explicit Harness(FirstSeenLimits limits = {})
      : rules_(testing::LoadOrDie(kNewService)),
        state_(rules_->first_seen().at(0), limits, &testing::FixedNow) {}

  std::vector<v1::Alert> Feed(const v1::Event& event) {
    std::vector<v1::Alert> out;
    const int64_t time_us = MicrosFromTimestamp(event.event_time());
    state_.Process(event, DeriveLogsource(event), time_us, &scratch_, &out);
    state_.AdvanceWatermark(time_us);
    return out;
  }
  FirstSeenState& state() { return state_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  FirstSeenState state_;
  MatchScratch scratch_;
};

TEST(FirstSeen, BaselineValuesAreLearnedANewValueAfterItRaisesOnce) {
  Harness h;
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "MSExchangeTransport", 0, "e1")).empty());
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "W3SVC", 2 * kDay, "e2")).empty());
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "MSExchangeTransport", 8 * kDay, "e3")).empty());
  std::vector<v1::Alert> alerts = h.Feed(ServiceInstalled("EXCH01", "PSEXESVC", 8 * kDay, "e4"));
  ASSERT_EQ(alerts.size(), 1u);
  const v1::Alert& a = alerts[0];
  EXPECT_EQ(a.alert_id(), StableId({"fs-service", "EXCH01", "e4"}));
  EXPECT_EQ(a.rule().kind(), "first_seen");
  EXPECT_EQ(a.severity(), v1::SEVERITY_HIGH);
  EXPECT_THAT(a.attack_technique_ids(), ElementsAre("T1543.003"));
  EXPECT_THAT(a.event_ids(), ElementsAre("e4"));
  EXPECT_EQ(a.host().name(), "EXCH01");
  EXPECT_EQ(a.message(),
            "New service on an Exchange server on EXCH01: first ServiceName 'psexesvc'");
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "PSEXESVC", 9 * kDay, "e5")).empty());
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "psexesvc", 9 * kDay, "e6")).empty())
      << "service names compare case-insensitively";
  EXPECT_EQ(h.state().counters().learned, 2u);
  EXPECT_EQ(h.state().counters().fired, 1u);
}

TEST(FirstSeen, ValuesAreKeptPerKey) {
  Harness h;
  h.Feed(ServiceInstalled("EXCH01", "W3SVC", 0, "e1"));
  h.Feed(ServiceInstalled("EXCH02", "Backup", kDay, "e2"));
  EXPECT_EQ(h.Feed(ServiceInstalled("EXCH02", "W3SVC", 8 * kDay, "e3")).size(), 1u);
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "W3SVC", 8 * kDay, "e4")).empty());
}

TEST(FirstSeen, TheBaselineStartsAtTheFirstEventTheRuleSees) {
  Harness h;
  h.Feed(ServiceInstalled("EXCH01", "W3SVC", 3 * kDay, "e1"));
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "Backup", 9 * kDay, "e2")).empty());
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "Other", 10 * kDay - 1, "e3")).empty());
  EXPECT_EQ(h.Feed(ServiceInstalled("EXCH01", "Evil", 10 * kDay, "e4")).size(), 1u);
}

TEST(FirstSeen, EventTimeDecidesNotArrival) {
  FirstSeenLimits limits;
  limits.allowed_lateness_us = 3600LL * 1'000'000;
  Harness h(limits);
  h.Feed(ServiceInstalled("EXCH01", "W3SVC", 0, "e1"));
  h.Feed(ServiceInstalled("EXCH01", "Known", 7 * kDay + 60, "e2"));  // after the baseline
  // From inside the baseline, arriving later within the hour of lateness: learned silently.
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "Backup", 7 * kDay - 60, "e3")).empty());
  // Older than the watermark minus the lateness: late, ignored.
  EXPECT_TRUE(h.Feed(ServiceInstalled("EXCH01", "Evil", 6 * kDay, "e4")).empty());
  EXPECT_EQ(h.state().counters().late, 1u);
  EXPECT_EQ(h.state().counters().learned, 2u);
  EXPECT_EQ(h.state().counters().fired, 1u);
}

TEST(FirstSeen, ValuesPerKeyAndKeysAreCappedAndEvictionsCounted) {
  FirstSeenLimits limits;
  limits.max_values_per_key = 2;
  limits.max_keys = 1;
  Harness h(limits);
  h.Feed(ServiceInstalled("EXCH01", "A", 0, "e1"));
  h.Feed(ServiceInstalled("EXCH01", "B", 1, "e2"));
  h.Feed(ServiceInstalled("EXCH01", "A", 2, "e3"));  // A is now the most recently seen
  h.Feed(ServiceInstalled("EXCH01", "C", 3, "e4"));  // evicts B
  EXPECT_EQ(h.state().counters().evicted_values, 1u);
  EXPECT_EQ(h.Feed(ServiceInstalled("EXCH01", "B", 8 * kDay, "e5")).size(), 1u)
      << "an evicted value is new again: why evictions are counted";
  h.Feed(ServiceInstalled("EXCH02", "A", 8 * kDay, "e6"));
  EXPECT_EQ(h.state().counters().evicted_keys, 1u);
  EXPECT_EQ(h.state().tracked_keys(), 1u);
}

TEST(FirstSeen, OtherEventsAndEventsWithoutTheValueAreNotCounted) {
  Harness h;
  h.Feed(testing::Request("EXCH01", "/owa/", 0, "r1"));
  v1::Event changed = ServiceInstalled("EXCH01", "X", 0, "e1");
  changed.mutable_service()->set_action(v1::ServiceChange::ACTION_STARTED);  // not a 7045
  h.Feed(changed);
  h.Feed(ServiceInstalled("EXCH01", "", 0, "e2"));
  EXPECT_EQ(h.state().counters().observed, 0u);
}

TEST(FirstSeen, EngineFeedsFirstSeenRules) {
  testing::EngineHarness h(kNewService);
  h.Feed(ServiceInstalled("EXCH01", "W3SVC", 0, "e1"));
  std::vector<v1::Alert> alerts = h.Feed(ServiceInstalled("EXCH01", "Evil", 8 * kDay, "e2"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().id(), "fs-service");
  EXPECT_EQ(h.engine().counters().alerts, 1u);
}

// A sequence step with `first_seen:` takes only events that first-seen rule found new: a new
// service, then that same service name seen again (started) within a day.
constexpr char kNewServiceThenStarted[] = R"(
tripline: sequence
title: New service then started
id: seq-new-service-started
level: high
key: [host.name]
maxspan: 2d
steps:
  - name: installed
    first_seen: fs-service
    logsource: {product: windows, service: system}
    detection: {sel: {EventID: 7045}, condition: sel}
  - name: again
    within: 1d
    logsource: {product: windows, service: system}
    detection: {sel: {ServiceName|exists: true}, condition: sel}
    join: {ServiceName: installed.ServiceName}
)";

TEST(FirstSeen, ASequenceStepCanRequireAFirstSeenFinding) {
  testing::EngineHarness h(std::string(kNewService) + "---" + kNewServiceThenStarted);
  auto sequence_alerts = [](const std::vector<v1::Alert>& alerts) {
    int n = 0;
    for (const auto& a : alerts) n += a.rule().id() == "seq-new-service-started";
    return n;
  };
  // A service of the baseline is not new: reinstalling it starts nothing.
  h.Feed(ServiceInstalled("EXCH01", "W3SVC", 0, "e1"));
  EXPECT_EQ(sequence_alerts(h.Feed(ServiceInstalled("EXCH01", "W3SVC", 8 * kDay, "e2"))) +
                sequence_alerts(h.Feed(ServiceInstalled("EXCH01", "W3SVC", 8 * kDay + 60, "e3"))),
            0);
  // A new one after the baseline starts a run; seen again within the day, it completes.
  EXPECT_EQ(sequence_alerts(h.Feed(ServiceInstalled("EXCH01", "Evil", 9 * kDay, "e4"))), 0);
  EXPECT_EQ(sequence_alerts(h.Feed(ServiceInstalled("EXCH01", "Evil", 9 * kDay + 600, "e5"))), 1);
}

TEST(FirstSeen, AFirstSeenStepNamingNoFirstSeenRuleIsALoadErrorWithItsLine) {
  LoadResult loaded = testing::LoadRules(kNewServiceThenStarted, "chain.yml");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].find("chain.yml:10"), std::string::npos) << loaded.errors[0];
  EXPECT_NE(loaded.errors[0].find("first_seen 'fs-service' names no first-seen rule"),
            std::string::npos)
      << loaded.errors[0];
}

}  // namespace
}  // namespace tripline::correlator::engine
