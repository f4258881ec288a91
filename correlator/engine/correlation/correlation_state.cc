#include "correlator/engine/correlation/correlation_state.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

// Separates group values inside map keys; the alert shows them joined by "|".
constexpr char kKeySeparator = '\x1f';

std::string DisplayKey(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), kKeySeparator, '|');
  return out;
}

}  // namespace

CorrelationState::CorrelationState(std::shared_ptr<const CorrelationRule> rule,
                                   CorrelationLimits limits, ValueOf value_of, Clock now)
    : rule_(std::move(rule)),
      limits_(limits),
      value_of_(std::move(value_of)),
      now_(now != nullptr ? now : &NowTimestamp) {
  if (limits_.max_keys == 0) limits_.max_keys = 1;
  if (limits_.max_events_per_key == 0) limits_.max_events_per_key = 1;
}

void CorrelationState::Observe(std::string_view base_rule,
                               const std::vector<std::string>& group_values,
                               int64_t event_time_us, const v1::Event& event,
                               std::vector<v1::Alert>* out) {
  const int rule_index = rule_->RuleIndex(base_rule);
  if (rule_index < 0) return;
  ++counters_.observed;
  if (event_time_us < Cutoff()) {
    ++counters_.late;
    return;
  }
  key_scratch_.clear();
  for (size_t i = 0; i < group_values.size(); ++i) {
    if (i > 0) key_scratch_.push_back(kKeySeparator);
    key_scratch_.append(group_values[i]);
  }
  auto it = keys_.find(key_scratch_);
  if (it == keys_.end()) {
    if (keys_.size() >= limits_.max_keys) {
      EraseKey(keys_.find(std::string(by_newest_.begin()->second)));
      ++counters_.evicted_keys;
    }
    it = keys_.emplace(key_scratch_, KeyState{}).first;
    it->second.newest_us = event_time_us;
    by_newest_.emplace(event_time_us, it->first);
  }
  KeyState& state = it->second;
  std::deque<Buffered>& events = state.events;
  // Events that no window with a future event can reach (see AdvanceWatermark).
  while (!events.empty() && events.front().time_us + rule_->timespan_us <= Cutoff()) {
    events.pop_front();
    --buffered_events_;
  }
  if (events.size() >= limits_.max_events_per_key) {
    ++counters_.evicted_events;
    if (event_time_us < events.front().time_us) return;  // the new event is the oldest one
    events.pop_front();
    --buffered_events_;
  }
  auto pos = std::upper_bound(events.begin(), events.end(), event_time_us,
                              [](int64_t t, const Buffered& b) { return t < b.time_us; });
  std::optional<std::string> value;
  if (rule_->type == CorrelationType::kValueCount && value_of_) value = value_of_(base_rule, event);
  pos = events.insert(pos, Buffered{event_time_us, rule_index, std::move(value), event});
  ++buffered_events_;
  const size_t inserted = static_cast<size_t>(pos - events.begin());
  if (event_time_us > state.newest_us) Touch(it, event_time_us);

  if (std::optional<Match> match = Evaluate(state, inserted)) {
    Fire(it->first, &state, *match, out);
    if (state.events.empty()) EraseKey(it);
  }
}

void CorrelationState::AdvanceWatermark(int64_t watermark_us) {
  if (watermark_us <= watermark_us_) return;
  watermark_us_ = watermark_us;
  // A buffered event at time x can still correlate only with an accepted future event y
  // (y >= Cutoff()) when y - x < timespan; windows of buffered events alone were evaluated
  // when their last event arrived. So a key whose newest event is that old is dead.
  while (!by_newest_.empty() &&
         by_newest_.begin()->first + rule_->timespan_us <= Cutoff()) {
    EraseKey(keys_.find(std::string(by_newest_.begin()->second)));
  }
}

void CorrelationState::Touch(KeyMap::iterator it, int64_t time_us) {
  by_newest_.erase({it->second.newest_us, it->first});
  it->second.newest_us = time_us;
  by_newest_.emplace(time_us, it->first);
}

void CorrelationState::EraseKey(KeyMap::iterator it) {
  buffered_events_ -= it->second.events.size();
  by_newest_.erase({it->second.newest_us, it->first});
  keys_.erase(it);
}

// Checks every window that contains the event at `inserted`: for each window end j at or after
// it (within timespan), the longest window ending at j. Counts only grow with the window, so the
// longest one is the one to test.
std::optional<CorrelationState::Match> CorrelationState::Evaluate(const KeyState& state,
                                                                  size_t inserted) {
  const std::deque<Buffered>& events = state.events;
  const int64_t span = rule_->timespan_us;
  const int64_t t = events[inserted].time_us;
  size_t begin = inserted;
  while (begin > 0 && t - events[begin - 1].time_us < span) --begin;
  for (size_t end = inserted; end < events.size() && events[end].time_us - t < span; ++end) {
    while (events[end].time_us - events[begin].time_us >= span) ++begin;
    if (rule_->type == CorrelationType::kTemporalOrdered) {
      picked_.clear();
      for (size_t k = begin; k <= end && picked_.size() < rule_->rules.size(); ++k) {
        if (events[k].rule_index == static_cast<int>(picked_.size())) picked_.push_back(k);
      }
      if (picked_.size() == rule_->rules.size()) return Match{begin, end + 1, true};
    } else if (WindowMatches(state, begin, end + 1)) {
      return Match{begin, end + 1, false};
    }
  }
  return std::nullopt;
}

bool CorrelationState::WindowMatches(const KeyState& state, size_t begin, size_t end) {
  const std::deque<Buffered>& events = state.events;
  int64_t count = 0;
  switch (rule_->type) {
    case CorrelationType::kEventCount:
      count = static_cast<int64_t>(end - begin);
      break;
    case CorrelationType::kValueCount:
      distinct_scratch_.clear();
      for (size_t k = begin; k < end; ++k) {
        if (events[k].value) distinct_scratch_.push_back(*events[k].value);
      }
      std::sort(distinct_scratch_.begin(), distinct_scratch_.end());
      count = std::unique(distinct_scratch_.begin(), distinct_scratch_.end()) -
              distinct_scratch_.begin();
      break;
    case CorrelationType::kTemporal: {
      uint64_t seen = 0;  // bit per listed rule; rules beyond 64 share the last bit
      for (size_t k = begin; k < end; ++k) seen |= uint64_t{1} << std::min(events[k].rule_index, 63);
      count = std::popcount(seen);
      if (rule_->condition.empty()) {
        return count >= static_cast<int64_t>(std::min<size_t>(rule_->rules.size(), 64));
      }
      break;
    }
    case CorrelationType::kTemporalOrdered:
      return false;  // handled in Evaluate
  }
  return rule_->condition.Matches(count);
}

void CorrelationState::Fire(const std::string& key, KeyState* state, const Match& match,
                            std::vector<v1::Alert>* out) {
  std::deque<Buffered>& events = state->events;
  picked_.resize(match.use_picked ? picked_.size() : 0);
  if (!match.use_picked) {
    for (size_t k = match.begin; k < match.end; ++k) picked_.push_back(k);
  }
  const Buffered& first = events[picked_.front()];
  const Buffered& last = events[picked_.back()];
  const CorrelationRule& r = *rule_;
  const std::string group_key = DisplayKey(key);

  v1::Alert& alert = out->emplace_back();
  alert.set_alert_id(StableId({r.metadata.id, group_key, first.event.event_id()}));
  v1::RuleRef* ref = alert.mutable_rule();
  ref->set_id(r.metadata.id);
  ref->set_title(r.metadata.title);
  ref->set_kind("correlation");
  ref->set_ruleset(r.metadata.file);
  ref->set_description(r.metadata.description);
  for (const std::string& s : r.metadata.references) ref->add_references(s);
  for (const std::string& s : r.metadata.tags) ref->add_tags(s);
  alert.set_severity(r.metadata.severity);
  for (const std::string& s : r.metadata.technique_ids) alert.add_attack_technique_ids(s);
  for (const std::string& s : r.metadata.tactic_ids) alert.add_attack_tactic_ids(s);
  *alert.mutable_host() = last.event.host();
  alert.set_group_key(group_key);
  *alert.mutable_window_start() = TimestampFromMicros(first.time_us);
  *alert.mutable_window_end() = TimestampFromMicros(last.time_us);
  *alert.mutable_created_time() = now_();
  for (size_t k : picked_) {
    if (static_cast<size_t>(alert.event_ids_size()) < limits_.max_alert_event_ids) {
      alert.add_event_ids(events[k].event.event_id());
    }
    if (static_cast<size_t>(alert.events_size()) < limits_.max_alert_events) {
      *alert.add_events() = events[k].event;
    }
  }
  alert.set_message(Cat(r.metadata.title, " for ", group_key.empty() ? "all" : group_key, ": ",
                        picked_.size(), " events (", CorrelationTypeName(r.type), ")"));
  ++counters_.fired;

  // Consume the contributors, back to front so that indices stay valid.
  for (auto k = picked_.rbegin(); k != picked_.rend(); ++k) {
    events.erase(events.begin() + static_cast<std::ptrdiff_t>(*k));
    --buffered_events_;
  }
}

}  // namespace tripline::correlator::engine
