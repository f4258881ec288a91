#include "correlator/engine/sequence/tripline_rule.h"

#include <algorithm>

#include "common/hash.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/correlation/correlation_rule.h"
#include "correlator/engine/rule_yaml.h"

namespace tripline::correlator::engine {

std::optional<TriplineKind> ParseTriplineKind(const YAML::Node& doc, ErrorList* errors) {
  const YAML::Node node = doc["tripline"];
  if (node && node.IsScalar()) {
    if (node.Scalar() == "sequence") return TriplineKind::kSequence;
    if (node.Scalar() == "first_seen") return TriplineKind::kFirstSeen;
  }
  errors->Add(node ? node : doc, "'tripline' must be 'sequence' or 'first_seen'");
  return std::nullopt;
}

void CheckAllowedKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                      std::string_view where, ErrorList* errors) {
  for (const auto& kv : map) {
    const std::string& key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      errors->Add(kv.first, Cat("unknown key '", key, "' in ", where));
    }
  }
}

void ReadTriplineMetadata(const YAML::Node& doc, ErrorList* errors, RuleMetadata* m) {
  ReadRuleMetadata(doc, errors, m);
  m->file = errors->file();
  m->line = doc.Mark().line + 1;
}

int64_t ReadDuration(const YAML::Node& map, const char* key, bool required, ErrorList* errors) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) {
    if (required) errors->Add(map, Cat("'", key, "' is required"));
    return 0;
  }
  std::optional<int64_t> us = node.IsScalar() ? ParseTimespan(node.Scalar()) : std::nullopt;
  if (!us || *us <= 0) {
    errors->Add(node, Cat("bad duration for '", key,
                          "' (a positive integer and one of s, m, h, d, e.g. 10m)"));
    return 0;
  }
  return *us;
}

std::vector<std::string> ReadFieldNames(const YAML::Node& map, const char* key,
                                        ErrorList* errors) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) {
    errors->Add(map, Cat("'", key, "' is required (a field or a list of fields)"));
    return {};
  }
  const size_t before = errors->size();
  std::vector<std::string> names = ReadYamlList(map, key, errors);
  if (names.empty() && errors->size() == before) {
    errors->Add(node, Cat("'", key, "' must name at least one field"));
  }
  return names;
}

std::string RuleFingerprint(const YAML::Node& doc) { return StableId({YAML::Dump(doc)}); }

std::string DisplayKey(std::string_view key) {
  std::string out(key);
  std::replace(out.begin(), out.end(), kKeySeparator, '|');
  return out;
}

void FillRuleRef(const RuleMetadata& m, std::string_view kind, v1::Alert* alert) {
  v1::RuleRef* ref = alert->mutable_rule();
  ref->set_id(m.id);
  ref->set_title(m.title);
  ref->set_kind(std::string(kind));
  ref->set_ruleset(m.file);
  ref->set_description(m.description);
  for (const std::string& s : m.references) ref->add_references(s);
  for (const std::string& s : m.tags) ref->add_tags(s);
  alert->set_severity(m.severity);
  for (const std::string& s : m.technique_ids) alert->add_attack_technique_ids(s);
  for (const std::string& s : m.tactic_ids) alert->add_attack_tactic_ids(s);
}

}  // namespace tripline::correlator::engine
