#include "correlator/engine/sequence/sequence_rule.h"

#include <algorithm>

#include "correlator/engine/absl_compat.h"
#include "correlator/engine/rule_yaml.h"
#include "correlator/engine/sequence/tripline_rule.h"

namespace tripline::correlator::engine {
namespace {

// Reads `absent: true|false`.
bool ReadAbsent(const YAML::Node& node, ErrorList* errors) {
  bool absent = false;
  const YAML::Node value = node["absent"];
  if (value && (!value.IsScalar() || !YAML::convert<bool>::decode(value, absent))) {
    errors->Add(value, "'absent' must be true or false");
  }
  return absent;
}

int FindStep(const std::vector<SequenceStep>& steps, std::string_view name) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Index of `expr` in `step`'s captures, adding it the first time (two joins on the same value
// share one capture).
int CaptureIndex(SequenceStep* step, FieldExpr expr) {
  for (size_t i = 0; i < step->captures.size(); ++i) {
    if (step->captures[i].text == expr.text) return static_cast<int>(i);
  }
  step->captures.push_back(std::move(expr));
  return static_cast<int>(step->captures.size()) - 1;
}

// `this_field[|transform]: step_name.field[|transform]`: `earlier` holds the steps a join may
// name (the previous steps; every step for `until`).
void ParseJoins(const YAML::Node& node, const FieldMap& field_map,
                std::vector<SequenceStep>* earlier, SequenceStep* step, ErrorList* errors) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    errors->Add(node, "'join' must map this step's field to step_name.field");
    return;
  }
  const Logsource& mine_ls = step->detection->metadata().logsource;
  for (const auto& kv : node) {
    const std::string& mine_text = kv.first.Scalar();
    auto mine = ParseFieldExpr(mine_text, field_map, mine_ls);
    if (!mine.ok()) errors->Add(kv.first, Cat("join '", mine_text, "': ", mine.status().message()));
    const std::string ref = kv.second.IsScalar() ? kv.second.Scalar() : "";
    const size_t dot = ref.find('.');
    const int target = dot == std::string::npos ? -1 : FindStep(*earlier, ref.substr(0, dot));
    if (target < 0) {
      errors->Add(kv.second, Cat("join '", mine_text, "': '", ref,
                                 "' must be step_name.field with an earlier step's name"));
      continue;
    }
    SequenceStep& other = (*earlier)[static_cast<size_t>(target)];
    if (other.absent) {
      errors->Add(kv.second, Cat("join '", mine_text, "': step '", other.name,
                                 "' is an absence step and has no event to join on"));
      continue;
    }
    if (!other.detection || !mine.ok()) continue;  // already reported
    auto theirs =
        ParseFieldExpr(ref.substr(dot + 1), field_map, other.detection->metadata().logsource);
    if (!theirs.ok()) {
      errors->Add(kv.second, Cat("join '", mine_text, "': ", theirs.status().message()));
      continue;
    }
    step->joins.push_back({*std::move(mine), target, CaptureIndex(&other, *std::move(theirs))});
  }
}

void ResolveKey(const SequenceRule& rule, const FieldMap& field_map, const YAML::Node& node,
                SequenceStep* step, ErrorList* errors) {
  for (const std::string& name : rule.key_names) {
    auto accessor = field_map.Resolve(step->detection->metadata().logsource, name);
    if (accessor.ok()) {
      step->key.push_back(*accessor);
    } else {
      errors->Add(node, Cat("key field '", name, "': ", accessor.status().message()));
    }
  }
}

// The step's own checks: a name usable in joins, and time bounds that make sense for its place.
void CheckStep(const YAML::Node& node, size_t index, const SequenceRule& rule,
               const SequenceStep& step, ErrorList* errors) {
  if (step.name.empty()) errors->Add(node, "a step needs a 'name' (joins refer to it)");
  if (step.name.find('.') != std::string::npos) {
    errors->Add(node["name"], Cat("step name '", step.name, "' must not contain '.'"));
  }
  if (!step.name.empty() && FindStep(rule.steps, step.name) >= 0) {
    errors->Add(node["name"], Cat("step name '", step.name, "' is used twice"));
  }
  if (index == 0 && (step.absent || step.within_us > 0)) {
    errors->Add(node, "the first step cannot be absent nor have 'within' (nothing precedes it)");
  }
  if (step.absent && step.within_us == 0) {
    errors->Add(node, "an absence step needs 'within' (how long the event must not happen)");
  }
  if (rule.maxspan_us > 0 && step.within_us > rule.maxspan_us) {
    errors->Add(node["within"], "'within' is longer than the rule's 'maxspan'");
  }
}

// One entry of `steps` (index >= 0) or of `until` (index < 0).
void ParseStep(const YAML::Node& node, int index, const FieldMap& field_map, SequenceRule* rule,
               ErrorList* errors) {
  const bool until = index < 0;
  if (!node.IsMap()) {
    errors->Add(node, until ? "an 'until' entry must be a mapping" : "a step must be a mapping");
    return;
  }
  if (until) {
    CheckAllowedKeys(node, {"name", "logsource", "detection", "join"}, "until", errors);
  } else {
    CheckAllowedKeys(node,
                     {"name", "logsource", "detection", "join", "within", "absent", "first_seen"},
                     "step", errors);
  }
  SequenceStep step;
  step.name = ReadYamlString(node, "name", errors);
  if (!until) {
    step.within_us = ReadDuration(node, "within", false, errors);
    step.absent = ReadAbsent(node, errors);
    step.first_seen = ReadYamlString(node, "first_seen", errors);
    if (!step.first_seen.empty()) {
      step.first_seen_where = Cat(errors->file(), ":", node["first_seen"].Mark().line + 1);
    }
    CheckStep(node, static_cast<size_t>(index), *rule, step, errors);
  }
  RuleMetadata metadata = rule->metadata;
  metadata.title = Cat(metadata.title, until ? " / until " : " / ", step.name);
  step.detection = SigmaRule::CompilePart(node, std::move(metadata), field_map, errors);
  if (step.detection) {
    ResolveKey(*rule, field_map, node, &step, errors);
    ParseJoins(node["join"], field_map, &rule->steps, &step, errors);
  }
  (until ? rule->until : rule->steps).push_back(std::move(step));
}

void ParseSteps(const YAML::Node& doc, const FieldMap& field_map, SequenceRule* rule,
                ErrorList* errors) {
  const YAML::Node steps = doc["steps"];
  if (!steps || !steps.IsSequence() || steps.size() < 2) {
    errors->Add(steps ? steps : doc, "'steps' must be a list of at least two steps");
  } else {
    for (size_t i = 0; i < steps.size(); ++i) {
      ParseStep(steps[i], static_cast<int>(i), field_map, rule, errors);
    }
  }
  const YAML::Node until = doc["until"];
  if (!until || until.IsNull()) return;
  if (until.IsMap()) {
    ParseStep(until, -1, field_map, rule, errors);
  } else if (until.IsSequence()) {
    for (const YAML::Node& entry : until) ParseStep(entry, -1, field_map, rule, errors);
  } else {
    errors->Add(until, "'until' must be a mapping or a list of them");
  }
}

void MatchStep(const SequenceStep& step, int index, bool until, const v1::Event& event,
               const EventLogsource& logsource, MatchScratch* scratch,
               std::vector<std::pair<std::string, StepHit>>* hits) {
  if (!step.detection->MayMatch(*scratch) ||
      !LogsourceMatches(step.detection->metadata().logsource, logsource)) {
    return;
  }
  if (!step.first_seen.empty() &&
      std::find(scratch->first_seen_fired.begin(), scratch->first_seen_fired.end(),
                std::string_view(step.first_seen)) == scratch->first_seen_fired.end()) {
    return;
  }
  if (!step.detection->Matches(event, scratch)) return;
  auto& [key, hit] = hits->emplace_back();
  hit.step = index;
  hit.until = until;
  std::string value_scratch;
  for (const SequenceJoin& join : step.joins) {
    hit.joins.push_back(join.mine.Read(event, &value_scratch));
  }
  for (const FieldExpr& capture : step.captures) {
    hit.captures.push_back(capture.Read(event, &value_scratch));
  }
  for (size_t i = 0; i < step.key.size(); ++i) {
    if (i > 0) key.push_back(kKeySeparator);
    FieldValue v = step.key[i].Get(event, &value_scratch);
    if (v) key.append(*v);
  }
}

}  // namespace

void SequenceRule::Match(const v1::Event& event, const EventLogsource& logsource,
                         MatchScratch* scratch,
                         std::vector<std::pair<std::string, StepHit>>* hits) const {
  for (size_t i = 0; i < steps.size(); ++i) {
    MatchStep(steps[i], static_cast<int>(i), false, event, logsource, scratch, hits);
  }
  for (size_t i = 0; i < until.size(); ++i) {
    MatchStep(until[i], static_cast<int>(i), true, event, logsource, scratch, hits);
  }
}

std::shared_ptr<const SequenceRule> ParseSequence(const YAML::Node& doc, const FieldMap& field_map,
                                                  ErrorList* errors) {
  const size_t before = errors->size();
  auto rule = std::make_shared<SequenceRule>();
  CheckAllowedKeys(doc,
                   {"tripline", "title", "id", "name", "status", "description", "author",
                    "references", "date", "modified", "level", "tags", "falsepositives", "key",
                    "maxspan", "steps", "until"},
                   "sequence rule", errors);
  ReadTriplineMetadata(doc, errors, &rule->metadata);
  rule->key_names = ReadFieldNames(doc, "key", errors);
  rule->maxspan_us = ReadDuration(doc, "maxspan", true, errors);
  ParseSteps(doc, field_map, rule.get(), errors);
  rule->fingerprint = RuleFingerprint(doc);
  if (errors->size() != before) return nullptr;
  return rule;
}

}  // namespace tripline::correlator::engine
