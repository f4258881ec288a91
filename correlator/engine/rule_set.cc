#include "correlator/engine/rule_set.h"

namespace tripline::correlator::engine {

RuleSet::RuleSet(std::vector<std::unique_ptr<SigmaRule>> rules) : rules_(std::move(rules)) {
  for (const auto& rule : rules_) {
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
    bucket->rules.push_back(rule.get());
  }
}

const SigmaRule* RuleSet::FindById(std::string_view id) const {
  for (const auto& rule : rules_) {
    if (rule->metadata().id == id) return rule.get();
  }
  return nullptr;
}

}  // namespace tripline::correlator::engine
