// Engine::SaveState / RestoreState: state saved mid-sequence, mid-correlation-window and
// mid-baseline and restored into a freshly built Engine behaves as if there had been no restart,
// down to the alert ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "correlator/engine/engine.h"
#include "tests/unit/correlator/engine/sequence/sequence_test_util.h"
#include "tests/unit/correlator/engine/test_util.h"
#include "tripline/v1/engine_state.pb.h"

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;
using testing::EngineHarness;
using testing::FileEvent;
using testing::kMinute;
using testing::Request;
using testing::ServiceInstalled;
using testing::Spawn;

constexpr char kW3wp[] = "C:\\Windows\\System32\\inetsrv\\w3wp.exe";
constexpr char kCmd[] = "C:\\Windows\\System32\\cmd.exe";
constexpr char kShell[] = "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx";

std::vector<v1::Event> WebShellChain() {
  return {FileEvent("EXCH01", kShell, 0, "w1"),
          Request("EXCH01", "/aspnet_client/shell.aspx", 10 * kMinute, "r1"),
          Spawn("EXCH01", kW3wp, kCmd, 12 * kMinute, "s1")};
}

// Feeds `events`, saving the state after the first `before_restart` of them and going on in a
// new Engine restored from it; returns every alert.
std::vector<v1::Alert> RunWithRestart(std::shared_ptr<const RuleSet> rules,
                                      const std::vector<v1::Event>& events, size_t before_restart,
                                      int64_t lateness_seconds) {
  std::vector<v1::Alert> alerts;
  auto first = std::make_unique<EngineHarness>(rules, lateness_seconds);
  for (size_t i = 0; i < before_restart; ++i) {
    for (v1::Alert& a : first->Feed(events[i])) alerts.push_back(std::move(a));
  }
  std::string snapshot;
  first->engine().SaveState(&snapshot);
  first.reset();
  EngineHarness second(rules, lateness_seconds);
  EXPECT_TRUE(second.engine().RestoreState(snapshot).ok());
  EXPECT_EQ(second.engine().counters().dropped_rule_states, 0u);
  for (size_t i = before_restart; i < events.size(); ++i) {
    for (v1::Alert& a : second.Feed(events[i])) alerts.push_back(std::move(a));
  }
  return alerts;
}

std::vector<v1::Alert> RunWithoutRestart(std::shared_ptr<const RuleSet> rules,
                                         const std::vector<v1::Event>& events,
                                         int64_t lateness_seconds) {
  return RunWithRestart(std::move(rules), events, events.size(), lateness_seconds);
}

TEST(EngineSnapshot, SequenceSpanningARestartFiresOnceWithTheSameId) {
  auto rules = testing::ShippedHafniumRules();
  for (int64_t lateness : {0, 300}) {  // step 1 committed, or still in the reorder buffer
    std::vector<v1::Event> events = WebShellChain();
    if (lateness == 0) events.insert(events.begin() + 1, Request("EXCH09", "/", 60, "tick"));
    const size_t after_step_one = lateness == 0 ? 2 : 1;
    std::vector<v1::Alert> expected = RunWithoutRestart(rules, events, lateness);
    std::vector<v1::Alert> got = RunWithRestart(rules, events, after_step_one, lateness);
    ASSERT_EQ(expected.size(), 1u);
    ASSERT_EQ(got.size(), 1u) << "lateness " << lateness;
    EXPECT_EQ(got[0].alert_id(), expected[0].alert_id());
    EXPECT_THAT(got[0].event_ids(), ElementsAre("w1", "r1", "s1"));
    EXPECT_EQ(got[0].events(0).file().path(), kShell) << "the saved event came back whole";
  }
}

TEST(EngineSnapshot, AbsenceWindowSpanningARestartStillCloses) {
  auto rules = testing::LoadOrDie(R"(tripline: sequence
title: Page created and kept
id: seq-kept
key: [host.name]
maxspan: 1h
steps:
  - name: created
    logsource: {category: file_event}
    detection: {sel: {TargetFilename|endswith: .aspx}, condition: sel}
  - name: deleted
    absent: true
    within: 10m
    logsource: {category: file_delete}
    detection: {sel: {TargetFilename|endswith: .aspx}, condition: sel}
    join: {file.path: created.file.path}
)");
  std::vector<v1::Event> events = {FileEvent("EXCH01", kShell, 0, "c1"),
                                   Request("EXCH09", "/", 5 * kMinute, "t1"),
                                   Request("EXCH09", "/", 11 * kMinute, "t2")};
  std::vector<v1::Alert> got = RunWithRestart(rules, events, 2, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].alert_id(), RunWithoutRestart(rules, events, 0).at(0).alert_id());
}

TEST(EngineSnapshot, CorrelationMidWindowFiresOnceWithTheSameId) {
  auto rules = testing::LoadOrDie(testing::kOwaProbingRules);

  std::vector<v1::Event> events = {Request("EXCH01", "/owa/auth/a.aspx", 0, "p1"),
                                   Request("EXCH01", "/owa/auth/b.aspx", 20, "p2"),
                                   Request("EXCH01", "/owa/auth/c.aspx", 40, "p3")};
  std::vector<v1::Alert> expected = RunWithoutRestart(rules, events, 300);
  std::vector<v1::Alert> got = RunWithRestart(rules, events, 2, 300);
  ASSERT_EQ(expected.size(), 1u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].alert_id(), expected[0].alert_id());
  EXPECT_THAT(got[0].event_ids(), ElementsAre("p1", "p2", "p3"));
}

TEST(EngineSnapshot, FirstSeenBaselineSpanningARestartIsKept) {
  auto rules = testing::LoadOrDie(R"(tripline: first_seen
title: New service
id: fs-service
logsource: {service: system}
detection: {sel: {EventID: 7045}, condition: sel}
key: host.name
value: ServiceName
baseline: 7d
)");
  const int64_t day = 86400;
  std::vector<v1::Event> events = {ServiceInstalled("EXCH01", "W3SVC", 0, "e1"),
                                   ServiceInstalled("EXCH01", "Backup", 3 * day, "e2"),
                                   ServiceInstalled("EXCH01", "Other", 5 * day, "e2b"),
                                   ServiceInstalled("EXCH01", "Backup", 8 * day, "e3"),
                                   ServiceInstalled("EXCH01", "W3SVC", 8 * day, "e4"),
                                   ServiceInstalled("EXCH01", "Evil", 8 * day, "e5")};
  std::vector<v1::Alert> expected = RunWithoutRestart(rules, events, 0);
  std::vector<v1::Alert> got = RunWithRestart(rules, events, 2, 0);
  ASSERT_EQ(expected.size(), 1u);
  ASSERT_EQ(got.size(), 1u) << "the baseline's values and its start survived the restart";
  EXPECT_EQ(got[0].alert_id(), expected[0].alert_id());
  EXPECT_THAT(got[0].event_ids(), ElementsAre("e5"));
}

TEST(EngineSnapshot, StateOfRulesGoneOrChangedIsDroppedAndCounted) {
  auto rules = testing::ShippedHafniumRules();
  EngineHarness before(rules);
  before.Feed(FileEvent("EXCH01", kShell, 0, "w1"));
  std::string snapshot;
  before.engine().SaveState(&snapshot);

  EngineHarness gone(testing::LoadOrDie("title: Unrelated\nid: x\nlogsource: {category: "
                                        "webserver}\ndetection: {s: {cs-method: PUT}, "
                                        "condition: s}\n"));
  ASSERT_TRUE(gone.engine().RestoreState(snapshot).ok());
  EXPECT_EQ(gone.engine().counters().dropped_rule_states, 2u);  // the sequence and first-seen

  v1::EngineState state;
  ASSERT_TRUE(state.ParseFromString(snapshot));
  state.mutable_sequences(0)->set_fingerprint("not the rule any more");
  EngineHarness changed(rules);
  ASSERT_TRUE(changed.engine().RestoreState(state.SerializeAsString()).ok());
  EXPECT_EQ(changed.engine().counters().dropped_rule_states, 1u);
  EXPECT_EQ(changed.engine().counters().restored_rules, 1u);
  changed.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60, "r1"));
  EXPECT_TRUE(changed.Feed(Spawn("EXCH01", kW3wp, kCmd, 70, "s1")).empty());
}

TEST(EngineSnapshot, UnreadableOrUnknownVersionIsAnErrorAndLeavesEmptyState) {
  auto rules = testing::ShippedHafniumRules();
  EngineHarness h(rules);
  EXPECT_FALSE(h.engine().RestoreState("\xff\xff not a message").ok());
  v1::EngineState future;
  future.set_version(2);
  absl::Status status = h.engine().RestoreState(future.SerializeAsString());
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "engine state version 2 is not supported (only 1)");
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60, "r1"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 70, "s1")).empty());
}

TEST(EngineSnapshot, TheWatermarkIsRestored) {
  auto rules = testing::ShippedHafniumRules();
  EngineHarness before(rules);
  before.Feed(Request("EXCH09", "/", 60 * kMinute, "tick"));
  std::string snapshot;
  before.engine().SaveState(&snapshot);
  EngineHarness after(rules);
  ASSERT_TRUE(after.engine().RestoreState(snapshot).ok());
  after.Feed(FileEvent("EXCH01", kShell, 30 * kMinute, "w1"));  // late: lateness is 0
  after.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 61 * kMinute, "r1"));
  EXPECT_TRUE(after.Feed(Spawn("EXCH01", kW3wp, kCmd, 62 * kMinute, "s1")).empty());
}

}  // namespace
}  // namespace tripline::correlator::engine
