// SequenceState::Save / Restore: the committed runs, the reorder buffer and the raised alert ids
// of every key, as tripline.v1.SequenceRuleState (proto/tripline/v1/engine_state.proto). The
// live runs are not saved: they are the committed runs with the buffer applied.
#include "correlator/engine/sequence/sequence_state.h"

namespace tripline::correlator::engine {
namespace {

void SaveValues(const std::vector<std::optional<std::string>>& values, v1::SequenceValues* out) {
  for (const std::optional<std::string>& v : values) {
    v1::SequenceValue* value = out->add_values();
    value->set_present(v.has_value());
    if (v) value->set_value(*v);
  }
}

std::vector<std::optional<std::string>> LoadValues(const v1::SequenceValues& in) {
  std::vector<std::optional<std::string>> out;
  for (const v1::SequenceValue& v : in.values()) {
    out.push_back(v.present() ? std::optional<std::string>(v.value()) : std::nullopt);
  }
  return out;
}

void SaveRun(const SequenceRun& run, v1::SequenceRunState* out) {
  out->set_next(run.next);
  out->set_start_us(run.start_us);
  out->set_last_us(run.last_us);
  for (const auto& values : run.captures) SaveValues(values, out->add_captures());
  for (const Contributor& c : run.events) {
    v1::SequenceContributor* contributor = out->add_events();
    contributor->set_step(c.step);
    contributor->set_time_us(c.time_us);
    *contributor->mutable_event() = *c.event;
  }
}

}  // namespace

void SequenceState::Save(v1::SequenceRuleState* out) const {
  out->set_rule_id(rule_->metadata.id);
  out->set_fingerprint(rule_->fingerprint);
  for (const auto& [key, state] : keys_) {
    v1::SequenceKeyState* k = out->add_keys();
    k->set_key(key);
    k->set_newest_us(state.newest_us);
    for (const SequenceRun& run : state.committed) SaveRun(run, k->add_committed());
    for (const Pending& p : state.pending) {
      v1::SequencePendingEvent* pending = k->add_pending();
      pending->set_time_us(p.time_us);
      for (const StepHit& hit : p.hits) {
        v1::SequenceStepHit* h = pending->add_hits();
        h->set_step(hit.step);
        h->set_until(hit.until);
        SaveValues(hit.joins, h->mutable_joins());
        SaveValues(hit.captures, h->mutable_captures());
      }
      *pending->mutable_event() = *p.event;
    }
    for (const auto& [id, time_us] : state.fired) (*k->mutable_fired())[id] = time_us;
  }
}

// The fingerprint matched, so a misfit means a corrupt snapshot: checked anyway, because the
// step function indexes by these numbers.
bool SequenceState::LoadRun(const v1::SequenceRunState& in, SequenceRun* run) const {
  const auto& steps = rule_->steps;
  if (in.next() < 1 || static_cast<size_t>(in.next()) >= steps.size()) return false;
  if (static_cast<size_t>(in.captures_size()) != steps.size() || in.events().empty()) return false;
  run->next = in.next();
  run->start_us = in.start_us();
  run->last_us = in.last_us();
  for (size_t i = 0; i < steps.size(); ++i) {
    run->captures.push_back(LoadValues(in.captures(static_cast<int>(i))));
    const size_t n = run->captures.back().size();
    if (n != 0 && n != steps[i].captures.size()) return false;
  }
  if (run->captures[0].size() != steps[0].captures.size()) return false;
  for (const v1::SequenceContributor& c : in.events()) {
    if (c.step() < 0 || c.step() >= run->next) return false;
    run->events.push_back({c.step(), c.time_us(), std::make_shared<const v1::Event>(c.event())});
  }
  return true;
}

bool SequenceState::LoadHit(const v1::SequenceStepHit& in, StepHit* hit) const {
  const auto& steps = in.until() ? rule_->until : rule_->steps;
  if (in.step() < 0 || static_cast<size_t>(in.step()) >= steps.size()) return false;
  const SequenceStep& step = steps[static_cast<size_t>(in.step())];
  hit->step = in.step();
  hit->until = in.until();
  hit->joins = LoadValues(in.joins());
  hit->captures = LoadValues(in.captures());
  return hit->joins.size() == step.joins.size() && hit->captures.size() == step.captures.size();
}

void SequenceState::Restore(const v1::SequenceRuleState& in, int64_t watermark_us) {
  keys_.clear();
  by_newest_.clear();
  by_due_.clear();
  watermark_us_ = watermark_us;
  for (const v1::SequenceKeyState& k : in.keys()) {
    if (keys_.size() >= limits_.max_keys) {
      ++counters_.dropped_on_restore;
      continue;
    }
    auto it = keys_.emplace(k.key(), KeyState{}).first;
    it->second.newest_us = k.newest_us();
    by_newest_.emplace(k.newest_us(), it->first);
    RestoreKey(k, &it->second);
    Replay(it->first, &it->second, nullptr);
    Reindex(it);
  }
}

void SequenceState::RestoreKey(const v1::SequenceKeyState& in, KeyState* state) {
  for (const v1::SequenceRunState& r : in.committed()) {
    SequenceRun run;
    if (LoadRun(r, &run)) {
      state->committed.push_back(std::move(run));
    } else {
      ++counters_.dropped_on_restore;
    }
  }
  for (const v1::SequencePendingEvent& p : in.pending()) {
    Pending pending{p.time_us(), {}, std::make_shared<const v1::Event>(p.event())};
    bool ok = true;
    for (const v1::SequenceStepHit& h : p.hits()) {
      ok = ok && LoadHit(h, &pending.hits.emplace_back());
    }
    if (ok) {
      state->pending.push_back(std::move(pending));
    } else {
      ++counters_.dropped_on_restore;
    }
  }
  state->fired.insert(in.fired().begin(), in.fired().end());
}

}  // namespace tripline::correlator::engine
