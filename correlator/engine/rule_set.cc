#include "correlator/engine/rule_set.h"

#include <algorithm>

namespace tripline::correlator::engine {

RuleSet::RuleSet(std::vector<std::unique_ptr<SigmaRule>> rules,
                 std::vector<BoundCorrelation> correlations, TriplineRules tripline)
    : rules_(std::move(rules)),
      correlations_(std::move(correlations)),
      tripline_(std::move(tripline)) {
  std::unordered_map<const SigmaRule*, bool> generates;
  for (size_t c = 0; c < correlations_.size(); ++c) {
    const BoundCorrelation& bound = correlations_[c];
    for (size_t i = 0; i < bound.base.size(); ++i) {
      feeds_[bound.base[i]].emplace_back(static_cast<int>(c), static_cast<int>(i));
      generates[bound.base[i]] |= bound.rule->generate;
    }
  }
  for (const auto& [rule, generate] : generates) {
    if (!generate) suppressed_.emplace(rule, true);
  }
  // Detection rules first (index = position in rules_), then the Sigma parts of the Tripline
  // rules; each rule that sits behind literals learns its index.
  std::vector<const SigmaRule*> all;
  for (const auto& rule : rules_) all.push_back(rule.get());
  for (const auto& seq : tripline_.sequences) {
    for (const auto& step : seq->steps) all.push_back(step.detection.get());
    for (const auto& step : seq->until) all.push_back(step.detection.get());
  }
  for (const auto& fs : tripline_.first_seen) all.push_back(fs->filter.get());
  std::vector<Requirement> requirements;
  requirements.reserve(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    requirements.push_back(all[i]->Required());
    if (!requirements.back() || requirements.back()->empty()) continue;
    all[i]->prefilter_slot_ = static_cast<int32_t>(i);
  }
  prefilter_ = std::make_unique<const engine::Prefilter>(requirements);
  auto add_fields = [&](size_t rule, std::vector<uint32_t>* to) {
    for (uint32_t f : prefilter_->FieldsOf(static_cast<uint32_t>(rule))) {
      if (std::find(to->begin(), to->end(), f) == to->end()) to->push_back(f);
    }
  };
  for (size_t i = rules_.size(); i < all.size(); ++i) add_fields(i, &step_fields_);
  for (size_t index = 0; index < rules_.size(); ++index) {
    const auto& rule = rules_[index];
    const Logsource& ls = rule->metadata().logsource;
    Bucket* bucket = nullptr;
    for (Bucket& b : buckets_) {
      if (b.logsource_key.category == ls.category && b.logsource_key.service == ls.service) {
        bucket = &b;
      }
    }
    if (bucket == nullptr) {
      buckets_.push_back(Bucket{Logsource{"", ls.category, ls.service}, {}});
      bucket = &buckets_.back();
    }
    bucket->rules.emplace_back(rule.get(), static_cast<uint32_t>(index));
    add_fields(index, &bucket->fields);
  }
}

const SigmaRule* RuleSet::FindByNameOrId(std::string_view name) const {
  for (const auto& rule : rules_) {
    if (rule->metadata().name == name) return rule.get();
  }
  return FindById(name);
}

const SigmaRule* RuleSet::FindById(std::string_view id) const {
  for (const auto& rule : rules_) {
    if (rule->metadata().id == id) return rule.get();
  }
  return nullptr;
}

}  // namespace tripline::correlator::engine
