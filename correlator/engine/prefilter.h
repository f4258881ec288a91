#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "correlator/engine/field_registry.h"
#include "correlator/engine/multi_pattern.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// A literal that must occur (ASCII case folded) in a field's value for a rule to match.
struct RequiredLiteral {
  const FieldAccessor* field = nullptr;
  std::string text;  // non-empty, lower-cased
};

// What a rule (or part of one) needs: a match implies that at least one of the literals occurs.
// std::nullopt: nothing useful is known (a regex, a negation, an `exists`), so it must always run.
using Requirement = std::optional<std::vector<RequiredLiteral>>;

// Requirement of `a or b`: either side may be the one that matched.
Requirement EitherOf(Requirement a, Requirement b);
// Requirement of `a and b`: both hold, so the more selective side alone is enough.
Requirement MoreSelective(Requirement a, Requirement b);

// Per-thread state of the prefilter (in MatchScratch): which rules may match the current event.
struct PrefilterScratch {
  bool active = false;  // the stamps belong to the event being evaluated (set by the Engine)
  uint32_t epoch = 0;
  std::vector<uint32_t> rule_stamp;     // == epoch: a required literal of the rule occurred
  std::vector<uint32_t> literal_stamp;  // per literal of each field: already seen in this event
  std::vector<uint32_t> field_stamp;    // == epoch: the field is in `fields`
  std::vector<uint32_t> fields;         // the fields to scan for the current event
  std::vector<uint32_t> buckets;        // the rule set's buckets the event's logsource selects
  std::string value;                    // a rendered field value
};

// The literal prefilter of a rule set: every rule whose condition requires literals is run only
// when one of them occurs in the event, found by one Aho-Corasick pass per field over all rules'
// literals of that field. Rules without a requirement always run. Built once with the rule set,
// then immutable and shared by every engine thread.
class Prefilter {
 public:
  // `requirements[i]` belongs to rule i of the set.
  explicit Prefilter(const std::vector<Requirement>& requirements);

  // Starts a new event: no rule stamped, no field chosen.
  void Begin(PrefilterScratch* scratch) const;
  // The fields rule `index` requires literals in (indices for AddFields()).
  const std::vector<uint32_t>& FieldsOf(uint32_t index) const { return fields_of_[index]; }
  // Adds `fields` (from FieldsOf()) to those Scan() reads for the current event.
  void AddFields(const std::vector<uint32_t>& fields, PrefilterScratch* scratch) const {
    for (uint32_t f : fields) {
      if (scratch->field_stamp[f] == scratch->epoch) continue;
      scratch->field_stamp[f] = scratch->epoch;
      scratch->fields.push_back(f);
    }
  }
  // Scans the chosen fields of `event` and stamps the rules whose literals occur.
  void Scan(const v1::Event& event, PrefilterScratch* scratch) const;
  // True when rule `index` must be evaluated for the event last passed to Scan().
  bool MayMatch(uint32_t index, const PrefilterScratch& scratch) const {
    return !filtered_[index] || scratch.rule_stamp[index] == scratch.epoch;
  }

  size_t filtered_rules() const { return filtered_count_; }
  size_t fields() const { return fields_.size(); }
  size_t literals() const;
  size_t memory_bytes() const;

 private:
  struct Field {
    FieldAccessor accessor;
    MultiPattern patterns;
    uint32_t literal_base = 0;                    // offset in the scratch's literal stamps
    std::vector<std::vector<uint32_t>> rules_of;  // literal id -> rules that require it
  };

  std::vector<Field> fields_;
  std::vector<uint8_t> filtered_;  // per rule: has a requirement
  std::vector<std::vector<uint32_t>> fields_of_;  // per rule: the fields of its literals
  size_t filtered_count_ = 0;
  uint32_t literal_total_ = 0;
};

}  // namespace tripline::correlator::engine
