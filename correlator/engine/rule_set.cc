#include "correlator/engine/rule_set.h"

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
  std::vector<Requirement> requirements;
  requirements.reserve(rules_.size());
  for (const auto& rule : rules_) requirements.push_back(rule->Required());
  prefilter_ = std::make_unique<const engine::Prefilter>(requirements);
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
    if (requirements[index] && !requirements[index]->empty()) {
      bucket->filtered.push_back(static_cast<uint32_t>(index));
    }
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
