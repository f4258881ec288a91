#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "correlator/engine/correlation/correlation_state.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/rule_set.h"
#include "correlator/engine/sequence/first_seen_state.h"
#include "correlator/engine/sequence/sequence_state.h"
#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// What one engine has seen since it was created.
struct EngineCounters {
  uint64_t events = 0;          // events processed
  uint64_t matched_events = 0;  // events that matched at least one rule
  uint64_t alerts = 0;          // alerts produced
  uint64_t restored_rules = 0;  // rule states taken from a snapshot by RestoreState()
  uint64_t dropped_rule_states = 0;  // snapshot rule states of rules gone or changed
  uint64_t suppressed = 0;  // alerts held back by the suppression window of their rule and key
  uint64_t suppression_evictions = 0;  // windows forgotten early because of the cap
};

// Summed over the correlation, sequence and first-seen states of one engine, for metrics.
struct StateTotals {
  uint64_t late = 0;     // events too far behind the watermark for stateful rules (still
                         // evaluated by single-event rules)
  uint64_t evicted = 0;  // keys, runs, values or buffered events dropped at a state cap
};

// The caps on each stateful rule's memory (correlation, sequence and first-seen alike); what a
// cap pushes out is counted (StateTotals::evicted).
struct StateCaps {
  size_t max_keys = 100'000;      // group keys tracked at once by one rule
  size_t max_per_key = 1'000;     // buffered events (correlation, sequence reorder buffer) or
                                  // remembered values (first-seen: 10x this) of one key
  size_t max_runs_per_key = 64;   // pending sequences of one key
};

// Runs a rule set over single events: one alert per matching detection rule, and the matches fed
// to the correlation, sequence and first-seen rules, which keep event-time state per key.
// Threading: one Engine per partition worker thread, used only from that thread; the RuleSet it
// holds is immutable and shared by all engines. Reload by SetRules() on the worker thread
// (the new set is compiled elsewhere). Time is injected so that tests control created_time.
class Engine {
 public:
  using Clock = google::protobuf::Timestamp (*)();

  explicit Engine(std::shared_ptr<const RuleSet> rules, Clock now = nullptr);

  // Appends one Alert per rule that matches `event` to `out`, then the alerts of the correlations
  // and sequences it completes, and of those that the watermark it moves completes (a sequence
  // ending with an absence step). Detection matching allocates nothing but the alerts; match
  // scratch strings are reused between calls.
  void Process(const v1::Event& event, std::vector<v1::Alert>* out);

  // Replaces the rule set; correlation, sequence and first-seen state starts empty for it.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  // How far behind the newest event time an event may arrive and still count in a correlation,
  // sequence or first-seen rule. Call before the first event: the (empty) state is rebuilt.
  void set_allowed_lateness_us(int64_t us);
  // Call before the first event, like set_allowed_lateness_us().
  void set_state_caps(const StateCaps& caps);
  // After an alert of a rule for a group key (host, or the rule's group-by values), further alerts
  // of that rule and key whose event time is less than `us` later are suppressed and counted
  // (0: off). Event time, so a replay after a crash suppresses the same ones; kept in snapshots.
  void set_suppression_window_us(int64_t us) { suppression_us_ = us; }

  // The event-time state of every correlation, sequence and first-seen rule and the watermark,
  // serialized as a tripline.v1.EngineState (proto/tripline/v1/engine_state.proto, version 1)
  // for the worker's checkpoint. Called on the worker thread between events.
  void SaveState(std::string* out) const;
  // Replaces this engine's state by a snapshot from SaveState(), typically in a freshly built
  // Engine with the same rule set. Rule states are matched by rule id and fingerprint; those of
  // rules that are gone or changed are dropped and counted (counters().dropped_rule_states).
  // An unreadable snapshot or an unknown version is an error, and the state is then empty.
  [[nodiscard]] absl::Status RestoreState(std::string_view in);
  const RuleSet& rules() const { return *rules_; }
  const EngineCounters& counters() const { return counters_; }
  StateTotals state_totals() const;
  int64_t watermark_us() const { return watermark_us_; }

 private:
  void AppendAlert(const SigmaRule& rule, const v1::Event& event, std::vector<v1::Alert>* out);

  void Correlate(const SigmaRule& rule, const v1::Event& event, std::vector<v1::Alert>* out);
  void FeedTripline(const v1::Event& event, const EventLogsource& logsource, int64_t time_us,
                    std::vector<v1::Alert>* out);
  void AdvanceWatermark(int64_t time_us, std::vector<v1::Alert>* out);
  // Drops the alerts from `first` on that fall in an open suppression window; opens windows.
  void Suppress(std::vector<v1::Alert>* out, size_t first);
  void BuildStates();

  std::shared_ptr<const RuleSet> rules_;
  std::vector<std::unique_ptr<CorrelationState>> correlations_;  // one per rules_->correlations()
  std::vector<std::unique_ptr<SequenceState>> sequences_;        // one per rules_->sequences()
  std::vector<std::unique_ptr<FirstSeenState>> first_seen_;      // one per rules_->first_seen()
  int64_t lateness_us_ = 5 * 60 * 1'000'000LL;
  StateCaps caps_;
  int64_t watermark_us_ = 0;  // newest event time seen
  int64_t suppression_us_ = 0;
  std::unordered_map<std::string, int64_t> suppressed_until_;  // rule \x1f key -> event time
  std::vector<std::string> group_values_;  // scratch
  Clock now_;
  MatchScratch scratch_;
  EngineCounters counters_;
};

// "<title> on <host.name>: <what happened>" (the request, command line, file, ...).
std::string AlertMessage(const std::string& title, const v1::Event& event);

}  // namespace tripline::correlator::engine
