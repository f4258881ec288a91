#pragma once

#include <memory>
#include <string>
#include <vector>

#include <optional>
#include <unordered_map>
#include <utility>

#include "correlator/engine/correlation/correlation_rule.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/logsource.h"
#include "correlator/engine/prefilter.h"
#include "correlator/engine/sequence/first_seen_rule.h"
#include "correlator/engine/sequence/sequence_rule.h"
#include "correlator/engine/sigma_rule.h"

namespace tripline::correlator::engine {

// The compiled rules, bucketed by the (category, service) of their logsource so that an event
// only scans the buckets its own logsource selects. Built once by the loader, then immutable and
// shared (std::shared_ptr<const RuleSet>) by every engine thread; a new rule set replaces it as
// a whole on reload.
// A Sigma correlation rule bound to the compiled detection rules it references: for each of its
// base rules (in the order of `rule->rules`), the rule itself and the accessors of the group-by
// fields (aliases resolved) and of the value_count field on that rule's logsource.
struct BoundCorrelation {
  std::shared_ptr<const CorrelationRule> rule;
  std::vector<const SigmaRule*> base;
  std::vector<std::vector<FieldAccessor>> group_by;
  std::vector<std::optional<FieldAccessor>> value;
};

// The Tripline rules of a set (sequence/): each carries its own compiled detections.
struct TriplineRules {
  std::vector<std::shared_ptr<const SequenceRule>> sequences;
  std::vector<std::shared_ptr<const FirstSeenRule>> first_seen;
};

class RuleSet {
 public:
  explicit RuleSet(std::vector<std::unique_ptr<SigmaRule>> rules,
                   std::vector<BoundCorrelation> correlations = {}, TriplineRules tripline = {});

  // Chooses the buckets that `logsource` selects and stamps in `scratch` the rules of theirs
  // whose required literals occur in `event`: only the fields those rules need are scanned.
  void Prefilter(const v1::Event& event, const EventLogsource& logsource,
                 PrefilterScratch* scratch) const {
    prefilter_->Begin(scratch);
    scratch->buckets.clear();
    for (uint32_t i = 0; i < buckets_.size(); ++i) {
      const Bucket& b = buckets_[i];
      if (!b.logsource_key.category.empty() &&
          !CategoryMatches(b.logsource_key.category, logsource.category)) {
        continue;
      }
      if (!b.logsource_key.service.empty() && b.logsource_key.service != logsource.service) {
        continue;
      }
      scratch->buckets.push_back(i);
      prefilter_->AddFields(b.fields, scratch);
    }
    prefilter_->AddFields(step_fields_, scratch);
    prefilter_->Scan(event, scratch);
  }

  // Calls `fn(const SigmaRule&)` for each rule of the buckets Prefilter() chose whose logsource
  // accepts `logsource` and whose literals occurred, in load order within a bucket.
  template <typename Fn>
  void ForEachCandidate(const EventLogsource& logsource, const PrefilterScratch& scratch,
                        Fn&& fn) const {
    for (uint32_t i : scratch.buckets) {
      for (const auto& [rule, index] : buckets_[i].rules) {
        if (prefilter_->MayMatch(index, scratch) &&
            LogsourceMatches(rule->metadata().logsource, logsource)) {
          fn(*rule);
        }
      }
    }
  }

  // Rules that stand on their own: detection, sequence and first-seen rules (correlations count
  // through the detection rules they need).
  size_t size() const {
    return rules_.size() + tripline_.sequences.size() + tripline_.first_seen.size();
  }
  const std::vector<std::unique_ptr<SigmaRule>>& rules() const { return rules_; }
  const SigmaRule* FindById(std::string_view id) const;
  // A detection rule by its `name`, else its id.
  const SigmaRule* FindByNameOrId(std::string_view name) const;

  const std::vector<BoundCorrelation>& correlations() const { return correlations_; }
  // The (correlation index, position in its rule list) pairs that `rule` feeds; nullptr if none.
  const std::vector<std::pair<int, int>>* CorrelationsOf(const SigmaRule* rule) const {
    auto it = feeds_.find(rule);
    return it == feeds_.end() ? nullptr : &it->second;
  }
  const std::vector<std::shared_ptr<const SequenceRule>>& sequences() const {
    return tripline_.sequences;
  }
  const std::vector<std::shared_ptr<const FirstSeenRule>>& first_seen() const {
    return tripline_.first_seen;
  }
  // True when the rule only feeds correlations that do not `generate` its own alerts.
  bool Suppressed(const SigmaRule* rule) const { return suppressed_.count(rule) > 0; }
  const engine::Prefilter& prefilter() const { return *prefilter_; }

 private:
  struct Bucket {
    Logsource logsource_key;  // category and service only; product is checked per rule
    std::vector<std::pair<const SigmaRule*, uint32_t>> rules;  // with its index in rules_
    std::vector<uint32_t> fields;  // prefilter fields its rules require literals in
  };

  std::vector<std::unique_ptr<SigmaRule>> rules_;
  std::vector<Bucket> buckets_;
  std::unique_ptr<const engine::Prefilter> prefilter_;
  // Prefilter fields of the sequence steps, until entries and first-seen filters (indexed after
  // rules_): scanned for every event.
  std::vector<uint32_t> step_fields_;
  std::vector<BoundCorrelation> correlations_;
  TriplineRules tripline_;
  std::unordered_map<const SigmaRule*, std::vector<std::pair<int, int>>> feeds_;
  std::unordered_map<const SigmaRule*, bool> suppressed_;
};

}  // namespace tripline::correlator::engine
