#include "correlator/engine/sequence/first_seen_state.h"

#include <algorithm>

#include "common/hash.h"
#include "common/time_util.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/sequence/tripline_rule.h"

namespace tripline::correlator::engine {

FirstSeenState::FirstSeenState(std::shared_ptr<const FirstSeenRule> rule, FirstSeenLimits limits,
                               Clock now)
    : rule_(std::move(rule)), limits_(limits), now_(now != nullptr ? now : &NowTimestamp) {
  if (limits_.max_keys == 0) limits_.max_keys = 1;
  if (limits_.max_values_per_key == 0) limits_.max_values_per_key = 1;
}

void FirstSeenState::Process(const v1::Event& event, const EventLogsource& logsource,
                             int64_t event_time_us, MatchScratch* scratch,
                             std::vector<v1::Alert>* out) {
  if (!rule_->Match(event, logsource, scratch, &key_, &value_)) return;
  ++counters_.observed;
  if (event_time_us < watermark_us_ - limits_.allowed_lateness_us) {
    ++counters_.late;
    return;
  }
  if (!started_) {
    started_ = true;
    baseline_start_us_ = event_time_us;
  }
  auto it = FindOrAddKey(key_, event_time_us);
  KeyState& state = it->second;
  if (event_time_us > state.newest_us) {
    by_newest_.erase({state.newest_us, it->first});
    state.newest_us = event_time_us;
    by_newest_.emplace(event_time_us, it->first);
  }
  auto [value, inserted] = state.values.try_emplace(value_, event_time_us);
  if (!inserted) {
    value->second = std::max(value->second, event_time_us);
    return;
  }
  if (state.values.size() > limits_.max_values_per_key) EvictOldestValue(&state, value_);
  if (InBaseline(event_time_us)) {
    ++counters_.learned;
    return;
  }
  Fire(event, event_time_us, out);
}

FirstSeenState::KeyMap::iterator FirstSeenState::FindOrAddKey(const std::string& key,
                                                              int64_t time_us) {
  auto it = keys_.find(key);
  if (it != keys_.end()) return it;
  if (keys_.size() >= limits_.max_keys) {
    auto oldest = keys_.find(std::string(by_newest_.begin()->second));
    by_newest_.erase(by_newest_.begin());
    keys_.erase(oldest);
    ++counters_.evicted_keys;
  }
  it = keys_.emplace(key, KeyState{}).first;
  it->second.newest_us = time_us;
  by_newest_.emplace(time_us, it->first);
  return it;
}

// A linear scan: it runs only when a key is full and a new value arrives, and keeping an order
// index for every value would cost more memory than the values themselves.
void FirstSeenState::EvictOldestValue(KeyState* state, const std::string& keep) {
  auto oldest = state->values.end();
  for (auto it = state->values.begin(); it != state->values.end(); ++it) {
    if (it->first == keep) continue;
    if (oldest == state->values.end() || it->second < oldest->second) oldest = it;
  }
  if (oldest == state->values.end()) return;
  state->values.erase(oldest);
  ++counters_.evicted_values;
}

void FirstSeenState::Fire(const v1::Event& event, int64_t time_us, std::vector<v1::Alert>* out) {
  const RuleMetadata& m = rule_->metadata;
  const std::string group_key = DisplayKey(key_);
  v1::Alert& alert = out->emplace_back();
  alert.set_alert_id(StableId({m.id, group_key, event.event_id()}));
  FillRuleRef(m, "first_seen", &alert);
  *alert.mutable_host() = event.host();
  alert.set_group_key(group_key);
  *alert.mutable_window_start() = TimestampFromMicros(time_us);
  *alert.mutable_window_end() = TimestampFromMicros(time_us);
  *alert.mutable_created_time() = now_();
  alert.add_event_ids(event.event_id());
  *alert.add_events() = event;
  std::string fields;
  for (const std::string& name : rule_->value_names) {
    absl::StrAppend(&fields, fields.empty() ? "" : "|", AbslView(name));
  }
  alert.set_message(
      Cat(m.title, " on ", group_key, ": first ", fields, " '", DisplayKey(value_), "'"));
  ++counters_.fired;
}

void FirstSeenState::Save(v1::FirstSeenRuleState* out) const {
  out->set_rule_id(rule_->metadata.id);
  out->set_fingerprint(rule_->fingerprint);
  out->set_started(started_);
  out->set_baseline_start_us(baseline_start_us_);
  for (const auto& [key, state] : keys_) {
    v1::FirstSeenKeyState* k = out->add_keys();
    k->set_key(key);
    k->set_newest_us(state.newest_us);
    for (const auto& [value, time_us] : state.values) (*k->mutable_values())[value] = time_us;
  }
}

void FirstSeenState::Restore(const v1::FirstSeenRuleState& in, int64_t watermark_us) {
  keys_.clear();
  by_newest_.clear();
  started_ = in.started();
  baseline_start_us_ = in.baseline_start_us();
  watermark_us_ = watermark_us;
  for (const v1::FirstSeenKeyState& k : in.keys()) {
    if (keys_.size() >= limits_.max_keys) {
      ++counters_.dropped_on_restore;
      continue;
    }
    auto it = keys_.emplace(k.key(), KeyState{}).first;
    it->second.newest_us = k.newest_us();
    by_newest_.emplace(k.newest_us(), it->first);
    for (const auto& [value, time_us] : k.values()) {
      if (it->second.values.size() >= limits_.max_values_per_key) {
        ++counters_.dropped_on_restore;
        continue;
      }
      it->second.values.emplace(value, time_us);
    }
  }
}

}  // namespace tripline::correlator::engine
