// Engine::SaveState / RestoreState: the event-time state of every correlation, sequence and
// first-seen rule and the watermark, as one tripline.v1.EngineState message (version 1,
// proto/tripline/v1/engine_state.proto). Each rule's part is written and read by its state class.
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/engine.h"
#include "tripline/v1/engine_state.pb.h"

namespace tripline::correlator::engine {
namespace {

constexpr uint32_t kStateVersion = 1;

const CorrelationRule& RuleOf(const BoundCorrelation& bound) { return *bound.rule; }
template <typename Rule>
const Rule& RuleOf(const std::shared_ptr<const Rule>& rule) {
  return *rule;
}

// Restores every saved rule state into the state of the rule with the same id and fingerprint
// (`rules[i]` is evaluated by `states[i]`); returns how many found none.
template <typename Saved, typename Rules, typename States>
uint64_t RestoreRules(const google::protobuf::RepeatedPtrField<Saved>& saved, const Rules& rules,
                      const States& states, int64_t watermark_us) {
  uint64_t dropped = 0;
  for (const Saved& s : saved) {
    size_t i = 0;
    while (i < rules.size() && (RuleOf(rules[i]).metadata.id != s.rule_id() ||
                                RuleOf(rules[i]).fingerprint != s.fingerprint())) {
      ++i;
    }
    if (i == rules.size()) {
      ++dropped;  // the rule is gone or changed: its state would not mean the same
      continue;
    }
    states[i]->Restore(s, watermark_us);
  }
  return dropped;
}

}  // namespace

void Engine::SaveState(std::string* out) const {
  v1::EngineState state;
  state.set_version(kStateVersion);
  state.set_watermark_us(watermark_us_);
  for (const auto& c : correlations_) c->Save(state.add_correlations());
  for (const auto& s : sequences_) s->Save(state.add_sequences());
  for (const auto& f : first_seen_) f->Save(state.add_first_seen());
  for (const auto& [key, until] : suppressed_until_) {
    if (until <= watermark_us_) continue;  // closed: nothing left to suppress
    v1::SuppressionState* s = state.add_suppressions();
    s->set_key(key);
    s->set_until_us(until);
  }
  out->clear();
  state.SerializeToString(out);
}

absl::Status Engine::RestoreState(std::string_view in) {
  watermark_us_ = 0;
  suppressed_until_.clear();
  BuildStates();
  v1::EngineState state;
  if (!state.ParseFromArray(in.data(), static_cast<int>(in.size()))) {
    return absl::DataLossError("engine state: not a tripline.v1.EngineState message");
  }
  if (state.version() != kStateVersion) {
    return absl::FailedPreconditionError(
        Cat("engine state version ", state.version(), " is not supported (only ", kStateVersion,
            ")"));
  }
  const int64_t watermark = state.watermark_us();
  const int saved =
      state.correlations_size() + state.sequences_size() + state.first_seen_size();
  uint64_t dropped =
      RestoreRules(state.correlations(), rules_->correlations(), correlations_, watermark);
  dropped += RestoreRules(state.sequences(), rules_->sequences(), sequences_, watermark);
  dropped += RestoreRules(state.first_seen(), rules_->first_seen(), first_seen_, watermark);
  for (const auto& s : state.suppressions()) suppressed_until_[s.key()] = s.until_us();
  counters_.dropped_rule_states += dropped;
  counters_.restored_rules += static_cast<uint64_t>(saved) - dropped;
  // Rules without saved state (new in this set) start at the same watermark.
  std::vector<v1::Alert> none;  // restored states are already there; empty ones raise nothing
  AdvanceWatermark(watermark, &none);
  return absl::OkStatus();
}

}  // namespace tripline::correlator::engine
