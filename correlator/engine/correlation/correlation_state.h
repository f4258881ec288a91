#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlator/engine/correlation/correlation_rule.h"
#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/engine_state.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// Bounds of one CorrelationState. Every drop is counted in CorrelationCounters.
struct CorrelationLimits {
  int64_t allowed_lateness_us = 0;      // how far behind the watermark an event is still used
  size_t max_keys = 100'000;            // group keys tracked at once
  size_t max_events_per_key = 1'000;    // buffered events per group key
  size_t max_alert_event_ids = 100;     // Alert.event_ids
  size_t max_alert_events = 10;         // Alert.events (full copies)
};

struct CorrelationCounters {
  uint64_t observed = 0;        // Observe() calls for a base rule of this correlation
  uint64_t fired = 0;           // alerts produced
  uint64_t late = 0;            // events too far behind the watermark, ignored
  uint64_t evicted_keys = 0;    // group keys dropped because max_keys was reached
  uint64_t evicted_events = 0;  // buffered events dropped because max_events_per_key was reached
  uint64_t dropped_on_restore = 0;  // snapshot entries that did not fit the rule or the limits
};

// Evaluates one correlation rule in event time over the matches of its base rules.
//
// Windows slide (they are not clock-aligned buckets): events a and b fall in one window when
// |time(b) - time(a)| < timespan, so two events exactly `timespan` apart never correlate.
// An event older than the newest one of its key is inserted in time order and every window it
// belongs to is evaluated; an event older than `watermark - allowed_lateness` is counted as late
// and ignored. Firing consumes: the contributing events are removed from the key's buffer, so the
// same events never raise a second alert and each window fires at most once. At most one alert
// per Observe() call.
//
// Per type: event_count counts events of any listed rule; value_count counts distinct values of
// `condition.field` (taken by `ValueOf`; events without a value do not count); temporal counts
// distinct listed rules seen (default: all of them); temporal_ordered needs all listed rules as a
// subsequence in the listed order (the condition is not used) and consumes just that subsequence.
//
// Threading and ownership: one CorrelationState per correlation rule per partition worker
// thread, used only from that thread. It shares the immutable rule and owns its buffers (copies
// of the buffered events). Memory is bounded by max_keys * max_events_per_key events; when full,
// the key whose newest event is oldest is evicted first, and within a key the oldest event.
class CorrelationState {
 public:
  using Clock = google::protobuf::Timestamp (*)();
  // The value of `condition.field` in an event of `base_rule` (value_count only; the caller
  // binds field names and aliases through its field registry). nullopt when absent.
  using ValueOf =
      std::function<std::optional<std::string>(std::string_view base_rule, const v1::Event&)>;

  CorrelationState(std::shared_ptr<const CorrelationRule> rule, CorrelationLimits limits,
                   ValueOf value_of = nullptr, Clock now = nullptr);

  // One match of `base_rule` (a name or id listed in the rule; others are ignored) for the group
  // `group_values` (the values of the rule's group-by fields, already resolved through aliases).
  // Appends at most one correlation alert to `out`.
  void Observe(std::string_view base_rule, const std::vector<std::string>& group_values,
               int64_t event_time_us, const v1::Event& event, std::vector<v1::Alert>* out);

  // Declares that no event older than `watermark_us - allowed_lateness` will be used any more and
  // frees the state that can no longer be part of a window. Watermarks never go back.
  void AdvanceWatermark(int64_t watermark_us);

  // Snapshot (correlation_snapshot.cc): the buffered events of every group key. Restore()
  // replaces the state of one built for the same rule (same id and fingerprint: the caller
  // checks) and sets the watermark; entries that do not fit are dropped and counted.
  void Save(v1::CorrelationRuleState* out) const;
  void Restore(const v1::CorrelationRuleState& in, int64_t watermark_us);

  const CorrelationCounters& counters() const { return counters_; }
  size_t tracked_keys() const { return keys_.size(); }
  size_t buffered_events() const { return buffered_events_; }

 private:
  struct Buffered {
    int64_t time_us;
    int rule_index;
    std::optional<std::string> value;  // value_count only
    v1::Event event;
  };
  struct KeyState {
    std::deque<Buffered> events;  // sorted by time_us, ties in arrival order
    int64_t newest_us = 0;
  };
  using KeyMap = std::unordered_map<std::string, KeyState>;
  // A contributing set: [begin, end) of the key buffer, or the indices in `picked_`.
  struct Match {
    size_t begin = 0, end = 0;
    bool use_picked = false;
  };

  KeyState* FindOrAddKey(const std::string& key, int64_t time_us);
  void Touch(KeyMap::iterator it, int64_t time_us);
  void EraseKey(KeyMap::iterator it);
  std::optional<Match> Evaluate(const KeyState& state, size_t inserted);
  bool WindowMatches(const KeyState& state, size_t begin, size_t end);
  void Fire(const std::string& key, KeyState* state, const Match& match,
            std::vector<v1::Alert>* out);
  int64_t Cutoff() const { return watermark_us_ - limits_.allowed_lateness_us; }

  std::shared_ptr<const CorrelationRule> rule_;
  CorrelationLimits limits_;
  ValueOf value_of_;
  Clock now_;
  KeyMap keys_;
  // (newest event time, key) for eviction and expiry, oldest first. Views point into keys_.
  std::set<std::pair<int64_t, std::string_view>> by_newest_;
  int64_t watermark_us_ = INT64_MIN / 2;  // halved so that Cutoff() cannot overflow
  size_t buffered_events_ = 0;
  CorrelationCounters counters_;
  // Reused between evaluations so that they allocate nothing.
  std::vector<std::string_view> distinct_scratch_;
  std::vector<size_t> picked_;
  std::string key_scratch_;
};

}  // namespace tripline::correlator::engine
