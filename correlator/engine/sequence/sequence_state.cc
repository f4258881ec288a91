#include "correlator/engine/sequence/sequence_state.h"

#include <algorithm>

#include "common/hash.h"
#include "common/time_util.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/sequence/tripline_rule.h"

namespace tripline::correlator::engine {

SequenceState::SequenceState(std::shared_ptr<const SequenceRule> rule, SequenceLimits limits,
                             Clock now)
    : rule_(std::move(rule)),
      limits_(limits),
      machine_(rule_.get(), std::max<size_t>(limits.max_runs_per_key, 1)),
      now_(now != nullptr ? now : &NowTimestamp) {
  if (limits_.max_keys == 0) limits_.max_keys = 1;
  if (limits_.max_pending_per_key == 0) limits_.max_pending_per_key = 1;
}

size_t SequenceState::live_runs() const {
  size_t n = 0;
  for (const auto& [key, state] : keys_) n += state.live.size();
  return n;
}

void SequenceState::Process(const v1::Event& event, const EventLogsource& logsource,
                            int64_t event_time_us, MatchScratch* scratch,
                            std::vector<v1::Alert>* out) {
  hits_.clear();
  rule_->Match(event, logsource, scratch, &hits_);
  if (hits_.empty()) return;
  ++counters_.observed;
  if (event_time_us < Cutoff()) {
    ++counters_.late;
    return;
  }
  auto shared = std::make_shared<const v1::Event>(event);
  // Steps of other logsources may read the key differently; usually all hits share one key.
  std::stable_sort(hits_.begin(), hits_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t begin = 0; begin < hits_.size();) {
    size_t end = begin;
    std::vector<StepHit> hits;
    for (; end < hits_.size() && hits_[end].first == hits_[begin].first; ++end) {
      hits.push_back(std::move(hits_[end].second));
    }
    Observe(hits_[begin].first, event_time_us, std::move(hits), shared, out);
    begin = end;
  }
}

void SequenceState::Observe(const std::string& key, int64_t time_us, std::vector<StepHit> hits,
                            const std::shared_ptr<const v1::Event>& event,
                            std::vector<v1::Alert>* out) {
  auto it = FindOrAddKey(key, time_us);
  KeyState& state = it->second;
  if (state.pending.size() >= limits_.max_pending_per_key) {
    ++counters_.forced_commits;
    CommitFront(key, &state, out);
  }
  auto pos = std::upper_bound(state.pending.begin(), state.pending.end(), time_us,
                              [](int64_t t, const Pending& p) { return t < p.time_us; });
  const bool in_order = pos == state.pending.end();
  pos = state.pending.insert(pos, Pending{time_us, std::move(hits), event});
  if (in_order) {
    RunOutcome outcome;
    machine_.Apply(time_us, pos->hits, event, &state.live, &outcome);
    Fire(key, &state, &outcome, out);
  } else {
    ++counters_.replays;
    Replay(key, &state, out);
  }
  if (time_us > state.newest_us) {
    by_newest_.erase({state.newest_us, it->first});
    state.newest_us = time_us;
    by_newest_.emplace(time_us, it->first);
  }
  Reindex(it);
}

SequenceState::KeyMap::iterator SequenceState::FindOrAddKey(const std::string& key,
                                                            int64_t time_us) {
  auto it = keys_.find(key);
  if (it != keys_.end()) return it;
  if (keys_.size() >= limits_.max_keys) {
    EraseKey(keys_.find(std::string(by_newest_.begin()->second)));
    ++counters_.evicted_keys;
  }
  it = keys_.emplace(key, KeyState{}).first;
  it->second.newest_us = time_us;
  by_newest_.emplace(time_us, it->first);
  return it;
}

void SequenceState::AdvanceWatermark(int64_t watermark_us, std::vector<v1::Alert>* out) {
  if (watermark_us <= watermark_us_) return;
  watermark_us_ = watermark_us;
  // Commit() leaves a key due no earlier than the cutoff, so this loop ends.
  while (!by_due_.empty() && by_due_.begin()->first < Cutoff()) {
    auto it = keys_.find(std::string(by_due_.begin()->second));
    Commit(it->first, &it->second, out);
    if (it->second.pending.empty() && it->second.committed.empty()) {
      EraseKey(it);
    } else {
      Reindex(it);
    }
  }
}

// Applies the oldest buffered event to the committed runs; true when an absence step passed.
bool SequenceState::CommitFront(const std::string& key, KeyState* state,
                                std::vector<v1::Alert>* out) {
  Pending& front = state->pending.front();
  RunOutcome outcome;
  const bool passed = machine_.Advance(front.time_us, &state->committed, &outcome);
  machine_.Apply(front.time_us, front.hits, front.event, &state->committed, &outcome);
  Count(outcome);
  Fire(key, state, &outcome, out);
  state->pending.pop_front();
  return passed;
}

void SequenceState::Commit(const std::string& key, KeyState* state,
                           std::vector<v1::Alert>* out) {
  const int64_t cutoff = Cutoff();
  bool passed = false;
  while (!state->pending.empty() && state->pending.front().time_us < cutoff) {
    passed |= CommitFront(key, state, out);
  }
  RunOutcome outcome;
  passed |= machine_.Advance(cutoff, &state->committed, &outcome);
  Count(outcome);
  Fire(key, state, &outcome, out);
  // A replay starts from the committed runs, so it can no longer complete these.
  std::erase_if(state->fired, [cutoff](const auto& f) { return f.second < cutoff; });
  if (passed || state->pending.empty()) {
    Replay(key, state, out);  // the committed runs moved in a way the buffer did not cause
  } else {
    RunOutcome dead;  // only drops runs that missed their deadline; nothing passes here
    machine_.Advance(cutoff, &state->live, &dead);
    Fire(key, state, &dead, out);
  }
}

void SequenceState::Replay(const std::string& key, KeyState* state,
                           std::vector<v1::Alert>* out) {
  state->live = state->committed;
  for (const Pending& p : state->pending) {
    RunOutcome outcome;
    machine_.Apply(p.time_us, p.hits, p.event, &state->live, &outcome);
    if (out != nullptr) Fire(key, state, &outcome, out);
  }
}

// Counted when committed only: the live runs see the same events, some of them twice.
void SequenceState::Count(const RunOutcome& outcome) {
  counters_.cancelled += outcome.cancelled;
  counters_.expired += outcome.expired;
  counters_.evicted_runs += outcome.evicted;
}

void SequenceState::Fire(const std::string& key, KeyState* state, RunOutcome* outcome,
                         std::vector<v1::Alert>* out) {
  for (const SequenceRun& run : outcome->completed) {
    const std::string group_key = DisplayKey(key);
    std::string id =
        StableId({rule_->metadata.id, group_key, run.events.front().event->event_id()});
    if (!state->fired.emplace(id, run.last_us).second) continue;  // raised before this replay
    BuildAlert(id, group_key, run, &out->emplace_back());
    ++counters_.fired;
  }
  outcome->completed.clear();
}

void SequenceState::BuildAlert(const std::string& id, const std::string& group_key,
                               const SequenceRun& run, v1::Alert* alert) const {
  alert->set_alert_id(id);
  FillRuleRef(rule_->metadata, "sequence", alert);
  *alert->mutable_host() = run.events.back().event->host();
  alert->set_group_key(group_key);
  *alert->mutable_window_start() = TimestampFromMicros(run.start_us);
  *alert->mutable_window_end() = TimestampFromMicros(run.events.back().time_us);
  *alert->mutable_created_time() = now_();
  for (const Contributor& c : run.events) {
    if (static_cast<size_t>(alert->event_ids_size()) < limits_.max_alert_event_ids) {
      alert->add_event_ids(c.event->event_id());
    }
    if (static_cast<size_t>(alert->events_size()) < limits_.max_alert_events) {
      *alert->add_events() = *c.event;
    }
  }
  std::string steps;
  for (const SequenceStep& s : rule_->steps) {
    absl::StrAppend(&steps, steps.empty() ? "" : " -> ", s.absent ? "no " : "", AbslView(s.name));
  }
  alert->set_message(Cat(rule_->metadata.title, " on ", group_key, ": ", steps));
}

int64_t SequenceState::Due(const KeyState& state) const {
  int64_t due = state.pending.empty() ? INT64_MAX : state.pending.front().time_us;
  for (const SequenceRun& run : state.committed) due = std::min(due, machine_.Deadline(run));
  return due;
}

void SequenceState::Reindex(KeyMap::iterator it) {
  KeyState& state = it->second;
  by_due_.erase({state.due_us, it->first});
  state.due_us = Due(state);
  if (state.due_us != INT64_MAX) by_due_.emplace(state.due_us, it->first);
}

void SequenceState::EraseKey(KeyMap::iterator it) {
  by_newest_.erase({it->second.newest_us, it->first});
  by_due_.erase({it->second.due_us, it->first});
  keys_.erase(it);
}

}  // namespace tripline::correlator::engine
