#pragma once

#include <memory>
#include <string>
#include <vector>

#include "correlator/engine/logsource.h"
#include "correlator/engine/sigma_rule.h"

namespace tripline::correlator::engine {

// The compiled rules, bucketed by the (category, service) of their logsource so that an event
// only scans the buckets its own logsource selects. Built once by the loader, then immutable and
// shared (std::shared_ptr<const RuleSet>) by every engine thread; a new rule set replaces it as
// a whole on reload.
class RuleSet {
 public:
  explicit RuleSet(std::vector<std::unique_ptr<SigmaRule>> rules);

  // Calls `fn(const SigmaRule&)` for each rule whose logsource accepts `logsource`, in load order
  // within a bucket.
  template <typename Fn>
  void ForEachCandidate(const EventLogsource& logsource, Fn&& fn) const {
    for (const Bucket& b : buckets_) {
      if (!b.logsource_key.category.empty() &&
          !CategoryMatches(b.logsource_key.category, logsource.category)) {
        continue;
      }
      if (!b.logsource_key.service.empty() && b.logsource_key.service != logsource.service) {
        continue;
      }
      for (const SigmaRule* rule : b.rules) {
        if (LogsourceMatches(rule->metadata().logsource, logsource)) fn(*rule);
      }
    }
  }

  size_t size() const { return rules_.size(); }
  const std::vector<std::unique_ptr<SigmaRule>>& rules() const { return rules_; }
  const SigmaRule* FindById(std::string_view id) const;

 private:
  struct Bucket {
    Logsource logsource_key;  // category and service only; product is checked per rule
    std::vector<const SigmaRule*> rules;
  };

  std::vector<std::unique_ptr<SigmaRule>> rules_;
  std::vector<Bucket> buckets_;
};

}  // namespace tripline::correlator::engine
