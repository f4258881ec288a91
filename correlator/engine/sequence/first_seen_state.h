#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/sequence/first_seen_rule.h"
#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/engine_state.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// Bounds of one FirstSeenState. Every drop is counted in FirstSeenCounters: a dropped value
// that comes back raises an alert again, so drops matter to whoever reads the alerts.
struct FirstSeenLimits {
  int64_t allowed_lateness_us = 0;     // how far behind the watermark an event is still used
  size_t max_keys = 100'000;           // keys tracked at once, over the whole rule
  size_t max_values_per_key = 10'000;  // values remembered per key
};

struct FirstSeenCounters {
  uint64_t observed = 0;         // events the filter selected that had a value
  uint64_t late = 0;             // such events older than watermark - lateness, ignored
  uint64_t learned = 0;          // new values during the baseline (no alert)
  uint64_t fired = 0;            // alerts raised: new values after the baseline
  uint64_t evicted_keys = 0;     // keys dropped (with their values): max_keys reached
  uint64_t evicted_values = 0;   // least recently seen values dropped: max_values_per_key
  uint64_t dropped_on_restore = 0;
};

// Evaluates one first-seen rule in event time. The baseline period starts at the event time of
// the first event the rule sees (any key) and lasts `baseline`; a value first seen for a key
// before its end is learned silently, a value first seen after it raises one alert and is
// learned, and a value already known raises nothing. Event time decides, not arrival: an event
// from inside the baseline that arrives after it ended (within the lateness) is still learned
// silently. Events older than watermark - allowed lateness are counted as late and ignored.
// The alert id is deterministic: rule id, key, the event's id.
//
// Threading and ownership: one FirstSeenState per first-seen rule per partition worker thread,
// used only there. It shares the immutable rule and owns its value sets. Memory is bounded by
// max_keys * max_values_per_key values; the key whose newest event is oldest is evicted first,
// and within a key the value seen least recently.
class FirstSeenState {
 public:
  using Clock = google::protobuf::Timestamp (*)();

  FirstSeenState(std::shared_ptr<const FirstSeenRule> rule, FirstSeenLimits limits,
                 Clock now = nullptr);

  // Appends at most one alert to `out`.
  void Process(const v1::Event& event, const EventLogsource& logsource, int64_t event_time_us,
               MatchScratch* scratch, std::vector<v1::Alert>* out);
  // Only moves the lateness bound: values are kept however old they are (that is the point).
  void AdvanceWatermark(int64_t watermark_us) {
    watermark_us_ = std::max(watermark_us_, watermark_us);
  }

  // Snapshot. Restore() replaces the state of one built for the same rule (same id and
  // fingerprint: the caller checks) and sets the watermark.
  void Save(v1::FirstSeenRuleState* out) const;
  void Restore(const v1::FirstSeenRuleState& in, int64_t watermark_us);

  const FirstSeenRule& rule() const { return *rule_; }
  const FirstSeenCounters& counters() const { return counters_; }
  size_t tracked_keys() const { return keys_.size(); }

 private:
  struct KeyState {
    std::unordered_map<std::string, int64_t> values;  // value -> newest event time seen
    int64_t newest_us = 0;
  };
  using KeyMap = std::unordered_map<std::string, KeyState>;

  KeyMap::iterator FindOrAddKey(const std::string& key, int64_t time_us);
  void EvictOldestValue(KeyState* state, const std::string& keep);
  void Fire(const v1::Event& event, int64_t time_us, std::vector<v1::Alert>* out);
  bool InBaseline(int64_t time_us) const {
    return time_us < baseline_start_us_ + rule_->baseline_us;
  }

  std::shared_ptr<const FirstSeenRule> rule_;
  FirstSeenLimits limits_;
  Clock now_;
  KeyMap keys_;
  std::set<std::pair<int64_t, std::string_view>> by_newest_;  // views point into keys_
  bool started_ = false;
  int64_t baseline_start_us_ = 0;
  int64_t watermark_us_ = INT64_MIN / 2;  // halved so that the cutoff cannot overflow
  FirstSeenCounters counters_;
  std::string key_, value_;  // reused between events
};

}  // namespace tripline::correlator::engine
