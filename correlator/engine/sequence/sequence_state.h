#pragma once

#include <climits>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/sequence/sequence_rule.h"
#include "correlator/engine/sequence/sequence_run.h"
#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/engine_state.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// Bounds of one SequenceState. Every drop is counted in SequenceCounters.
struct SequenceLimits {
  int64_t allowed_lateness_us = 0;      // how far behind the watermark an event is still used
  size_t max_keys = 100'000;            // keys tracked at once, over the whole rule
  size_t max_runs_per_key = 64;         // pending sequences of one key
  size_t max_pending_per_key = 1'000;   // reorder buffer of one key
  size_t max_alert_event_ids = 100;     // Alert.event_ids
  size_t max_alert_events = 10;         // Alert.events (full copies)
};

struct SequenceCounters {
  uint64_t observed = 0;        // events that matched a step or an until entry
  uint64_t late = 0;            // such events older than watermark - lateness, ignored
  uint64_t fired = 0;           // alerts raised
  uint64_t replays = 0;         // out-of-order events that made a key's runs be recomputed
  uint64_t cancelled = 0;       // runs ended by `until` or by an absence step's event
  uint64_t expired = 0;         // runs whose next step did not come in time
  uint64_t evicted_keys = 0;    // keys dropped (with their runs) because max_keys was reached
  uint64_t evicted_runs = 0;    // runs dropped because max_runs_per_key was reached
  uint64_t forced_commits = 0;  // reorder buffer full: its oldest event committed early
  uint64_t dropped_on_restore = 0;  // snapshot entries that did not fit the rule
};

// Evaluates one sequence rule in event time, for every key at once.
//
// Per key it keeps the runs as of the cutoff (watermark - allowed lateness, "committed"), the
// events after the cutoff that matched a step or an until entry (the reorder buffer, in event
// time order), and the live runs: the committed ones with the buffer applied. An event in time
// order advances the live runs at once, so alerts are not delayed by the lateness; an event that
// arrives before buffered ones is inserted in order and the live runs are recomputed from the
// committed ones, so out-of-order input within the lateness is evaluated as if it had come in
// order. Alert ids are deterministic (rule id, key, id of the first step's event) and each is
// raised once, however often a replay completes the same run. When the watermark moves, buffered
// events before the new cutoff are committed, runs whose next step can no longer come in time
// are dropped, and absence steps whose window has closed pass, which may complete a run: those
// alerts come out of AdvanceWatermark().
//
// Threading and ownership: one SequenceState per sequence rule per partition worker thread, used
// only there. It shares the immutable rule and owns its runs and buffers (events are shared
// between a key's buffer and its runs). Memory is bounded by max_keys keys, each with at most
// max_runs_per_key runs (twice: committed and live) and max_pending_per_key buffered events;
// the key whose newest event is oldest is evicted first, and within a key the oldest run.
class SequenceState {
 public:
  using Clock = google::protobuf::Timestamp (*)();

  SequenceState(std::shared_ptr<const SequenceRule> rule, SequenceLimits limits,
                Clock now = nullptr);

  // Matches `event` (of `logsource`, at `event_time_us`) against the rule's steps and feeds the
  // hits to their keys; appends the alerts of the sequences it completes to `out`.
  void Process(const v1::Event& event, const EventLogsource& logsource, int64_t event_time_us,
               MatchScratch* scratch, std::vector<v1::Alert>* out);

  // Moves the watermark forward (it never goes back) and does the work that waited for it;
  // appends the alerts of sequences completed by an absence step to `out`.
  void AdvanceWatermark(int64_t watermark_us, std::vector<v1::Alert>* out);

  // Snapshot (sequence_snapshot.cc). Restore() replaces the state of one built for the same rule
  // (same id and fingerprint: the caller checks) and sets the watermark; the live runs are
  // recomputed without raising alerts again. Entries that do not fit the rule are dropped and
  // counted in dropped_on_restore.
  void Save(v1::SequenceRuleState* out) const;
  void Restore(const v1::SequenceRuleState& in, int64_t watermark_us);

  const SequenceRule& rule() const { return *rule_; }
  const SequenceCounters& counters() const { return counters_; }
  size_t tracked_keys() const { return keys_.size(); }
  size_t live_runs() const;

 private:
  struct Pending {
    int64_t time_us = 0;
    std::vector<StepHit> hits;
    std::shared_ptr<const v1::Event> event;
  };
  struct KeyState {
    std::vector<SequenceRun> committed;  // every event before the cutoff applied, in time order
    std::deque<Pending> pending;         // events at or after the cutoff, in time order
    std::vector<SequenceRun> live;       // committed + pending; what new events advance
    std::map<std::string, int64_t> fired;  // alert id -> completion time, while replayable
    int64_t newest_us = 0;
    int64_t due_us = INT64_MAX;  // when AdvanceWatermark must look at this key again
  };
  using KeyMap = std::unordered_map<std::string, KeyState>;

  void Observe(const std::string& key, int64_t time_us, std::vector<StepHit> hits,
               const std::shared_ptr<const v1::Event>& event, std::vector<v1::Alert>* out);
  KeyMap::iterator FindOrAddKey(const std::string& key, int64_t time_us);
  bool CommitFront(const std::string& key, KeyState* state, std::vector<v1::Alert>* out);
  void Commit(const std::string& key, KeyState* state, std::vector<v1::Alert>* out);
  // Recomputes the live runs; `out` null: completions are not raised (restore).
  void Replay(const std::string& key, KeyState* state, std::vector<v1::Alert>* out);
  void Count(const RunOutcome& outcome);
  void Fire(const std::string& key, KeyState* state, RunOutcome* outcome,
            std::vector<v1::Alert>* out);
  void BuildAlert(const std::string& id, const std::string& group_key, const SequenceRun& run,
                  v1::Alert* alert) const;
  void Reindex(KeyMap::iterator it);
  void EraseKey(KeyMap::iterator it);
  int64_t Due(const KeyState& state) const;
  void RestoreKey(const v1::SequenceKeyState& in, KeyState* state);
  bool LoadRun(const v1::SequenceRunState& in, SequenceRun* run) const;
  bool LoadHit(const v1::SequenceStepHit& in, StepHit* hit) const;
  int64_t Cutoff() const { return watermark_us_ - limits_.allowed_lateness_us; }

  std::shared_ptr<const SequenceRule> rule_;
  SequenceLimits limits_;
  SequenceMachine machine_;
  Clock now_;
  KeyMap keys_;
  // (newest event time, key) for eviction and (due time, key) for watermark work, oldest first.
  // Views point into keys_.
  std::set<std::pair<int64_t, std::string_view>> by_newest_;
  std::set<std::pair<int64_t, std::string_view>> by_due_;
  int64_t watermark_us_ = INT64_MIN / 2;  // halved so that Cutoff() cannot overflow
  SequenceCounters counters_;
  std::vector<std::pair<std::string, StepHit>> hits_;  // reused between events
};

}  // namespace tripline::correlator::engine
