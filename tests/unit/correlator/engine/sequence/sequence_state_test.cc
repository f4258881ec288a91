// Semantics of Tripline sequences in event time: joins per step, time bounds per step and
// overall, concurrent runs per key, `until`, absence steps, out-of-order input within the
// allowed lateness, late events, bounded state. Plain events in, alerts out; time is event time.
#include "correlator/engine/sequence/sequence_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/hash.h"
#include "common/time_util.h"
#include "tests/unit/correlator/engine/sequence/sequence_test_util.h"

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;
using testing::FileEvent;
using testing::kMinute;
using testing::Request;
using testing::Spawn;

constexpr char kW3wp[] = "C:\\Windows\\System32\\inetsrv\\w3wp.exe";
constexpr char kCmd[] = "C:\\Windows\\System32\\cmd.exe";
constexpr char kShell1[] = "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx";
constexpr char kShell2[] = "C:\\inetpub\\wwwroot\\aspnet_client\\other.aspx";

constexpr char kWebShellChain[] = R"(tripline: sequence
title: Web shell written, requested, then spawning a shell
id: seq-webshell
level: critical
tags: [attack.persistence, attack.t1505.003, attack.execution, attack.t1059.003]
key: [host.name]
maxspan: 1d
steps:
  - name: write
    logsource: {category: file_event, product: windows}
    detection:
      sel:
        event.action: created
        TargetFilename|contains: '\inetpub\wwwroot\'
        TargetFilename|endswith: '.aspx'
      condition: sel
  - name: request
    logsource: {category: webserver}
    detection:
      sel: {cs-uri-stem|endswith: '.aspx'}
      condition: sel
    join:
      url.path: write.file.path|iis_url_path
    within: 1h
  - name: spawn
    logsource: {category: process_creation, product: windows}
    detection:
      sel:
        ParentImage|endswith: '\w3wp.exe'
        Image|endswith: '\cmd.exe'
      condition: sel
    within: 10m
)";

constexpr char kUntilRemoved[] = R"(until:
  - name: removed
    logsource: {category: file_delete, product: windows}
    detection:
      sel: {TargetFilename|endswith: '.aspx'}
      condition: sel
    join: {file.path: write.file.path}
)";

constexpr char kCreatedAndKept[] = R"(tripline: sequence
title: Web page created and kept
id: seq-kept
level: medium
key: [host.name]
maxspan: 1h
steps:
  - name: created
    logsource: {category: file_event, product: windows}
    detection:
      sel: {event.action: created, TargetFilename|endswith: '.aspx'}
      condition: sel
  - name: deleted
    absent: true
    within: 10m
    logsource: {category: file_delete, product: windows}
    detection:
      sel: {TargetFilename|endswith: '.aspx'}
      condition: sel
    join: {file.path: created.file.path}
)";

// Feeds one SequenceState as the Engine does: Process, then the watermark to the newest time.
class Harness {
 public:
  explicit Harness(const std::string& yaml, SequenceLimits limits = {})
      : rules_(testing::LoadOrDie(yaml)),
        state_(rules_->sequences().at(0), limits, &testing::FixedNow) {}

  std::vector<v1::Alert> Feed(const v1::Event& event) {
    std::vector<v1::Alert> out;
    const int64_t time_us = MicrosFromTimestamp(event.event_time());
    state_.Process(event, DeriveLogsource(event), time_us, &scratch_, &out);
    if (time_us > watermark_us_) {
      watermark_us_ = time_us;
      state_.AdvanceWatermark(watermark_us_, &out);
    }
    return out;
  }
  // Moves event time forward as unrelated traffic would.
  std::vector<v1::Alert> Tick(int64_t seconds) {
    return Feed(Request("OTHER", "/index.html", seconds, "tick" + std::to_string(seconds)));
  }
  SequenceState& state() { return state_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  SequenceState state_;
  MatchScratch scratch_;
  int64_t watermark_us_ = 0;
};

TEST(Sequence, ChainInOrderRaisesOneAlertWithItsEvents) {
  Harness h(kWebShellChain);
  EXPECT_TRUE(h.Feed(FileEvent("EXCH01", kShell1, 0, "w1")).empty());
  EXPECT_TRUE(h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60, "r1")).empty());
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 120, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  const v1::Alert& a = alerts[0];
  EXPECT_EQ(a.alert_id(), StableId({"seq-webshell", "EXCH01", "w1"}));
  EXPECT_EQ(a.rule().kind(), "sequence");
  EXPECT_EQ(a.rule().id(), "seq-webshell");
  EXPECT_EQ(a.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_THAT(a.attack_technique_ids(), ElementsAre("T1505.003", "T1059.003"));
  EXPECT_THAT(a.attack_tactic_ids(), ElementsAre("persistence", "execution"));
  EXPECT_THAT(a.event_ids(), ElementsAre("w1", "r1", "s1"));
  ASSERT_EQ(a.events_size(), 3);
  EXPECT_EQ(a.events(1).http().url_path(), "/aspnet_client/shell.aspx");
  EXPECT_EQ(a.group_key(), "EXCH01");
  EXPECT_EQ(a.host().name(), "EXCH01");
  EXPECT_EQ(a.window_start().seconds(), testing::kT0);
  EXPECT_EQ(a.window_end().seconds(), testing::kT0 + 120);
  EXPECT_EQ(a.message(),
            "Web shell written, requested, then spawning a shell on EXCH01: write -> request -> "
            "spawn");
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 130, "s2")).empty()) << "the run was consumed";
}

TEST(Sequence, JoinsTheWrittenFileToTheRequestedUrlOnTheSameHost) {
  Harness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Request("EXCH02", "/aspnet_client/shell.aspx", 10, "other-host"));
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 20, "other-file"));
  h.Feed(Request("EXCH01", "/shell.aspx", 25, "other-folder"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 30, "s0")).empty()) << "step 2 never matched";
  h.Feed(Request("EXCH01", "/ASPNET_CLIENT/Shell.aspx", 40, "r1"));  // IIS paths ignore case
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 50, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w1", "r1", "s1"));
}

TEST(Sequence, TwoWebShellsOnOneHostAreTwoPendingSequences) {
  Harness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(FileEvent("EXCH01", kShell2, 10, "w2"));
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 20, "r2"));
  std::vector<v1::Alert> first = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 30, "s1"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_THAT(first[0].event_ids(), ElementsAre("w2", "r2", "s1"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 40, "r1"));
  std::vector<v1::Alert> second = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 50, "s2"));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_THAT(second[0].event_ids(), ElementsAre("w1", "r1", "s2"));
  EXPECT_NE(first[0].alert_id(), second[0].alert_id());
}

TEST(Sequence, TheSameShellWrittenTwiceIsOnePendingSequence) {
  Harness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(FileEvent("EXCH01", kShell1, 10, "w1-again"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 20, "r1"));
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 30, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w1-again", "r1", "s1"));
}

TEST(Sequence, WithinBoundsEachStepInclusively) {
  Harness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(FileEvent("EXCH01", kShell2, 0, "w2"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60 * kMinute, "r1"));  // exactly 1h
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 60 * kMinute + 1, "r2"));  // too late
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 71 * kMinute, "late")).empty())
      << "11 minutes after the request; within: 10m";
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 70 * kMinute, "s1"));
  // 70m is behind the watermark (71m) but lateness is 0: late, ignored.
  EXPECT_TRUE(alerts.empty());
  EXPECT_EQ(h.state().counters().late, 1u);
  EXPECT_EQ(h.state().counters().expired, 2u) << "both runs expired once their deadline passed";
}

TEST(Sequence, SpawnExactlyWithinCompletes) {
  Harness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 30 * kMinute, "r1"));
  EXPECT_EQ(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 40 * kMinute, "s1")).size(), 1u);
}

TEST(Sequence, MaxspanBoundsTheWholeSequence) {
  std::string rule(kWebShellChain);
  rule.replace(rule.find("maxspan: 1d"), 11, "maxspan: 65m");
  Harness h(rule);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 58 * kMinute, "r1"));  // within 1h
  // 8 minutes after the request (within 10m) but 66 minutes after the write (maxspan 65m).
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 66 * kMinute, "s1")).empty());
  h.Feed(FileEvent("EXCH01", kShell2, 100 * kMinute, "w2"));
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 158 * kMinute, "r2"));
  EXPECT_EQ(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 165 * kMinute, "s2")).size(), 1u);
}

TEST(Sequence, UntilCancelsThePendingSequenceItJoins) {
  Harness h(std::string(kWebShellChain) + kUntilRemoved);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(FileEvent("EXCH01", kShell2, 5, "w2"));
  h.Feed(FileEvent("EXCH01", kShell1, 10, "d1", v1::FileChange::ACTION_DELETED));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 20, "r1"));
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 25, "r2"));
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 30, "s1"));
  ASSERT_EQ(alerts.size(), 1u) << "only the shell that was not removed";
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w2", "r2", "s1"));
  h.Feed(FileEvent("EXCH01", kShell1, 40, "w1-new"));  // written again after the removal
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 50, "r1-new"));
  EXPECT_EQ(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 60, "s2")).size(), 1u);
  h.Tick(100);
  EXPECT_EQ(h.state().counters().cancelled, 1u);
}

TEST(Sequence, AbsenceStepFiresOnlyOnceTheWatermarkPassesItsWindow) {
  Harness h(kCreatedAndKept);
  const std::string page = "C:\\inetpub\\wwwroot\\aspnet_client\\kept.aspx";
  EXPECT_TRUE(h.Feed(FileEvent("EXCH01", page, 0, "c1")).empty());
  EXPECT_TRUE(h.Tick(9 * kMinute).empty());
  EXPECT_TRUE(h.Tick(10 * kMinute).empty()) << "a deletion at exactly 10m would still count";
  std::vector<v1::Alert> alerts = h.Tick(10 * kMinute + 1);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].alert_id(), StableId({"seq-kept", "EXCH01", "c1"}));
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("c1"));
  EXPECT_EQ(alerts[0].message(), "Web page created and kept on EXCH01: created -> no deleted");
  EXPECT_TRUE(h.Tick(30 * kMinute).empty());
}

TEST(Sequence, AbsenceStepWaitsForTheAllowedLatenessToo) {
  SequenceLimits limits;
  limits.allowed_lateness_us = 2 * kMinute * 1'000'000;
  Harness h(kCreatedAndKept, limits);
  const std::string page = "C:\\inetpub\\wwwroot\\kept.aspx";
  h.Feed(FileEvent("EXCH01", page, 0, "c1"));
  EXPECT_TRUE(h.Tick(12 * kMinute).empty()) << "a deletion at 10m could still arrive";
  EXPECT_EQ(h.Tick(12 * kMinute + 1).size(), 1u);
}

TEST(Sequence, AbsenceStepEventCancels) {
  SequenceLimits limits;
  limits.allowed_lateness_us = 5 * kMinute * 1'000'000;
  Harness h(kCreatedAndKept, limits);
  const std::string page = "C:\\inetpub\\wwwroot\\kept.aspx";
  h.Feed(FileEvent("EXCH01", page, 0, "c1"));
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\x.aspx", 60, "c2"));
  h.Tick(11 * kMinute);
  // Arrives late but within the lateness: the page was deleted 9 minutes after its creation.
  h.Feed(FileEvent("EXCH01", page, 9 * kMinute, "d1", v1::FileChange::ACTION_DELETED));
  std::vector<v1::Alert> alerts = h.Tick(60 * kMinute);
  ASSERT_EQ(alerts.size(), 1u) << "only the page that was never deleted";
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("c2"));
  EXPECT_EQ(h.state().counters().cancelled, 1u);
}

TEST(Sequence, OutOfOrderInputWithinTheLatenessCompletes) {
  SequenceLimits limits;
  limits.allowed_lateness_us = 5 * kMinute * 1'000'000;
  Harness h(kWebShellChain, limits);
  // The web log is shipped before the FIM event that came first.
  EXPECT_TRUE(h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60, "r1")).empty());
  EXPECT_TRUE(h.Feed(FileEvent("EXCH01", kShell1, 30, "w1")).empty());
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 90, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w1", "r1", "s1"));
  EXPECT_EQ(alerts[0].alert_id(), StableId({"seq-webshell", "EXCH01", "w1"}));
  EXPECT_GE(h.state().counters().replays, 1u);
}

TEST(Sequence, TheLastMissingStepArrivingLateCompletes) {
  SequenceLimits limits;
  limits.allowed_lateness_us = 5 * kMinute * 1'000'000;
  Harness h(kWebShellChain, limits);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Spawn("EXCH01", kW3wp, kCmd, 90, "s1"));
  std::vector<v1::Alert> alerts = h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 60, "r1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w1", "r1", "s1"));
  // Later replays of the same key do not raise it again.
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 100, "r2"));
  EXPECT_TRUE(h.Feed(Request("EXCH01", "/x.aspx", 95, "r3")).empty());
  EXPECT_TRUE(h.Tick(60 * kMinute).empty());
  EXPECT_EQ(h.state().counters().fired, 1u);
}

TEST(Sequence, EventsOlderThanWatermarkMinusLatenessAreCountedAsLate) {
  SequenceLimits limits;
  limits.allowed_lateness_us = 5 * kMinute * 1'000'000;
  Harness h(kWebShellChain, limits);
  h.Tick(20 * kMinute);
  EXPECT_TRUE(h.Feed(FileEvent("EXCH01", kShell1, 14 * kMinute, "w1")).empty());
  EXPECT_EQ(h.state().counters().late, 1u);
  h.Feed(FileEvent("EXCH01", kShell2, 15 * kMinute, "w2"));  // exactly at the cutoff: used
  EXPECT_EQ(h.state().counters().late, 1u);
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 21 * kMinute, "r1"));
  h.Feed(Request("EXCH01", "/aspnet_client/other.aspx", 21 * kMinute, "r2"));
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 22 * kMinute, "s1"));
  ASSERT_EQ(alerts.size(), 1u) << "the late write of shell.aspx was ignored";
  EXPECT_THAT(alerts[0].event_ids(), ElementsAre("w2", "r2", "s1"));
}

TEST(Sequence, RunsPerKeyAndKeysAreCappedAndEvictionsCounted) {
  SequenceLimits limits;
  limits.max_runs_per_key = 2;
  limits.max_keys = 2;
  Harness h(kWebShellChain, limits);
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\a.aspx", 0, "wa"));
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\b.aspx", 1, "wb"));
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\c.aspx", 2, "wc"));  // evicts a.aspx
  h.Feed(Request("EXCH01", "/a.aspx", 3, "ra"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 4, "s1")).empty());
  h.Feed(FileEvent("EXCH02", kShell1, 5, "w2"));
  h.Feed(FileEvent("EXCH03", kShell1, 6, "w3"));  // evicts EXCH01, the key seen longest ago
  h.Tick(10);
  EXPECT_EQ(h.state().counters().evicted_runs, 1u);
  EXPECT_EQ(h.state().counters().evicted_keys, 1u);
  EXPECT_LE(h.state().tracked_keys(), 2u);
}

TEST(Sequence, ContributingEventsInTheAlertAreBounded) {
  SequenceLimits limits;
  limits.max_alert_events = 2;
  limits.max_alert_event_ids = 100;
  Harness h(kWebShellChain, limits);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 10, "r1"));
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 20, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].events_size(), 2);
  EXPECT_EQ(alerts[0].event_ids_size(), 3);
}

TEST(Sequence, EngineFeedsSequencesAndCountsTheirAlerts) {
  testing::EngineHarness h(kWebShellChain);
  h.Feed(FileEvent("EXCH01", kShell1, 0, "w1"));
  h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 10, "r1"));
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 20, "s1"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().kind(), "sequence");
  EXPECT_EQ(h.engine().counters().alerts, 1u);
}

TEST(Sequence, EngineRaisesAbsenceAlertsWhenAnyEventMovesTheWatermark) {
  testing::EngineHarness h(kCreatedAndKept);
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\kept.aspx", 0, "c1"));
  EXPECT_TRUE(h.Feed(Request("EXCH09", "/", 5 * kMinute, "t1")).empty());
  std::vector<v1::Alert> alerts = h.Feed(Request("EXCH09", "/", 11 * kMinute, "t2"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().id(), "seq-kept");
}

}  // namespace
}  // namespace tripline::correlator::engine
