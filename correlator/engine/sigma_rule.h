#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "correlator/engine/condition.h"
#include "correlator/engine/error_list.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/search_identifier.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// What a rule says about itself, copied into its alerts.
struct RuleMetadata {
  std::string title;
  std::string id;  // Sigma id; else `name`; else a stable hash of file and title
  std::string name;
  std::string status;
  std::string description;
  std::string author;
  std::string level;
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<std::string> falsepositives;
  Logsource logsource;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
  std::vector<std::string> technique_ids;  // attack.t1505.003 -> T1505.003
  std::vector<std::string> tactic_ids;     // attack.persistence -> persistence
  std::string file;                        // the rule file, RuleRef.ruleset
  int line = 0;                            // first line of the rule's YAML document
};

// One compiled Sigma detection rule: its search identifiers and condition. Built by Compile(),
// then immutable; shared (through RuleSet) by every engine thread.
class SigmaRule {
 public:
  // Compiles one YAML document of `errors->file()`. Every problem is added to `errors` as
  // file:line: message; nullptr when there was any (the rule is not loaded).
  static std::unique_ptr<SigmaRule> Compile(const YAML::Node& doc, const FieldMap& field_map,
                                            ErrorList* errors);
  // Compiles the `logsource` and `detection` keys of `part`, a piece of a larger rule (a Tripline
  // sequence step, a first-seen filter) whose metadata the caller has read: `metadata` is copied
  // with the part's logsource and line. Errors and result as Compile().
  static std::unique_ptr<SigmaRule> CompilePart(const YAML::Node& part, RuleMetadata metadata,
                                                const FieldMap& field_map, ErrorList* errors);

  // Evaluates the condition; the caller has already checked the logsource. While an engine runs
  // its prefilter over the event (scratch->prefilter.active), a rule whose required literals did
  // not occur is false at once.
  bool Matches(const v1::Event& event, MatchScratch* scratch) const {
    if (!MayMatch(*scratch)) return false;
    return condition_.Evaluate(
        [&](int i) { return identifiers_[static_cast<size_t>(i)].Matches(event, scratch); });
  }

  // The literals one of which occurs in every event the rule matches (prefilter.h).
  Requirement Required() const {
    return condition_.Required(
        [&](int i) { return identifiers_[static_cast<size_t>(i)].Required(); });
  }

  // False when the engine's prefilter ran over the current event and none of this rule's
  // required literals occurred in it: the cheapest test, worth making before any other.
  bool MayMatch(const MatchScratch& scratch) const {
    return prefilter_slot_ < 0 || !scratch.prefilter.active ||
           scratch.prefilter.rule_stamp[static_cast<size_t>(prefilter_slot_)] ==
               scratch.prefilter.epoch;
  }

  const RuleMetadata& metadata() const { return metadata_; }

 private:
  friend class RuleSet;  // assigns prefilter_slot_ while it is built, before it is shared
  SigmaRule() = default;
  void CompileBody(const YAML::Node& doc, const FieldMap& field_map, bool check_logsource,
                   ErrorList* errors);
  bool CompileDetection(const YAML::Node& detection, const FieldMap& field_map, ErrorList* errors);

  RuleMetadata metadata_;
  std::vector<std::string> identifier_names_;
  std::vector<SearchIdentifier> identifiers_;
  Condition condition_;
  // This rule's index in its RuleSet's prefilter when it sits behind literals, else -1. Written
  // once by the RuleSet constructor (a compiled rule belongs to one set), then only read.
  mutable int32_t prefilter_slot_ = -1;
};

// Splits ATT&CK tags: attack.tNNNN[.NNN] -> techniques (upper case), other attack.<name> ->
// tactics; group (attack.gNNNN) and software (attack.sNNNN) ids are neither.
// The metadata every rule kind shares (title, id, level, tags, ATT&CK ids, ...), without the
// logsource; problems go to `errors`.
void ReadRuleMetadata(const YAML::Node& doc, ErrorList* errors, RuleMetadata* metadata);

void ParseAttackTags(const std::vector<std::string>& tags, std::vector<std::string>* techniques,
                     std::vector<std::string>* tactics);

}  // namespace tripline::correlator::engine
