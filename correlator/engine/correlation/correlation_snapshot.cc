// CorrelationState::Save / Restore: the buffered events of every group key, as
// tripline.v1.CorrelationRuleState (proto/tripline/v1/engine_state.proto).
#include "correlator/engine/correlation/correlation_state.h"

namespace tripline::correlator::engine {

void CorrelationState::Save(v1::CorrelationRuleState* out) const {
  out->set_rule_id(rule_->metadata.id);
  out->set_fingerprint(rule_->fingerprint);
  for (const auto& [key, state] : keys_) {
    v1::CorrelationKeyState* k = out->add_keys();
    k->set_key(key);
    k->set_newest_us(state.newest_us);
    for (const Buffered& b : state.events) {
      v1::CorrelationBufferedEvent* e = k->add_events();
      e->set_time_us(b.time_us);
      e->set_rule_index(b.rule_index);
      if (b.value) e->set_value(*b.value);
      *e->mutable_event() = b.event;
    }
  }
}

void CorrelationState::Restore(const v1::CorrelationRuleState& in, int64_t watermark_us) {
  keys_.clear();
  by_newest_.clear();
  buffered_events_ = 0;
  watermark_us_ = watermark_us;
  const int rules = static_cast<int>(rule_->rules.size());
  for (const v1::CorrelationKeyState& k : in.keys()) {
    if (keys_.size() >= limits_.max_keys) {
      ++counters_.dropped_on_restore;
      continue;
    }
    auto it = keys_.emplace(k.key(), KeyState{}).first;
    KeyState& state = it->second;
    state.newest_us = k.newest_us();
    by_newest_.emplace(state.newest_us, it->first);
    for (const v1::CorrelationBufferedEvent& e : k.events()) {
      // Saved in time order; a misfit (index out of range) means a corrupt snapshot.
      if (e.rule_index() < 0 || e.rule_index() >= rules ||
          state.events.size() >= limits_.max_events_per_key ||
          (!state.events.empty() && e.time_us() < state.events.back().time_us)) {
        ++counters_.dropped_on_restore;
        continue;
      }
      std::optional<std::string> value;
      if (e.has_value()) value = e.value();
      state.events.push_back(Buffered{e.time_us(), e.rule_index(), std::move(value), e.event()});
      ++buffered_events_;
    }
  }
}

}  // namespace tripline::correlator::engine
