#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "correlator/engine/correlation/correlation_state.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/rule_set.h"
#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// What one engine has seen since it was created.
struct EngineCounters {
  uint64_t events = 0;          // events processed
  uint64_t matched_events = 0;  // events that matched at least one rule
  uint64_t alerts = 0;          // alerts produced
};

// Runs a rule set over single events and raises one alert per matching rule.
// Threading: one Engine per partition worker thread, used only from that thread; the RuleSet it
// holds is immutable and shared by all engines. Reload by SetRules() on the worker thread
// (the new set is compiled elsewhere). Time is injected so that tests control created_time.
class Engine {
 public:
  using Clock = google::protobuf::Timestamp (*)();

  explicit Engine(std::shared_ptr<const RuleSet> rules, Clock now = nullptr);

  // Appends one Alert per rule that matches `event` to `out`. Allocates only the alerts; match
  // scratch strings are reused between calls.
  void Process(const v1::Event& event, std::vector<v1::Alert>* out);

  // Replaces the rule set; correlation state starts empty for the new set.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  // How far behind the newest event time an event may arrive and still count in a correlation.
  void set_allowed_lateness_us(int64_t us) { lateness_us_ = us; }
  const RuleSet& rules() const { return *rules_; }
  const EngineCounters& counters() const { return counters_; }

 private:
  void AppendAlert(const SigmaRule& rule, const v1::Event& event, std::vector<v1::Alert>* out);

  void Correlate(const SigmaRule& rule, const v1::Event& event, std::vector<v1::Alert>* out);
  void BuildCorrelationStates();

  std::shared_ptr<const RuleSet> rules_;
  std::vector<std::unique_ptr<CorrelationState>> correlations_;  // one per rules_->correlations()
  int64_t lateness_us_ = 5 * 60 * 1'000'000LL;
  int64_t watermark_us_ = 0;  // newest event time seen
  std::vector<std::string> group_values_;  // scratch
  Clock now_;
  MatchScratch scratch_;
  EngineCounters counters_;
};

// "<title> on <host.name>: <what happened>" (the request, command line, file, ...).
std::string AlertMessage(const std::string& title, const v1::Event& event);

}  // namespace tripline::correlator::engine
