#include "correlator/engine/sigma_rule.h"
#include "correlator/engine/rule_yaml.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/hash.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

const std::set<std::string, std::less<>> kLogsourceKeys = {"product", "category", "service",
                                                           "definition"};

Logsource ReadLogsource(const YAML::Node& doc, ErrorList* errors) {
  Logsource ls;
  const YAML::Node node = doc["logsource"];
  if (!node || !node.IsMap()) {
    errors->Add(node ? node : doc, "'logsource' is required and must be a mapping");
    return ls;
  }
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (kLogsourceKeys.count(key) == 0) {
      errors->Add(kv.first, Cat("unknown logsource key '", key, "'"));
    } else if (!kv.second.IsScalar()) {
      errors->Add(kv.second, Cat("logsource.", key, " must be a string"));
    } else if (key != "definition") {
      std::string value = absl::AsciiStrToLower(kv.second.Scalar());
      (key == "product" ? ls.product : key == "category" ? ls.category : ls.service) = value;
    }
  }
  return ls;
}

void ReadMetadata(const YAML::Node& doc, ErrorList* errors, RuleMetadata* m) {
  ReadRuleMetadata(doc, errors, m);
  m->logsource = ReadLogsource(doc, errors);
}

}  // namespace

void ReadRuleMetadata(const YAML::Node& doc, ErrorList* errors, RuleMetadata* m) {
  m->title = ReadYamlString(doc, "title", errors);
  if (m->title.empty()) errors->Add(doc, "'title' is required");
  m->id = ReadYamlString(doc, "id", errors);
  m->name = ReadYamlString(doc, "name", errors);
  m->status = ReadYamlString(doc, "status", errors);
  m->description = ReadYamlString(doc, "description", errors);
  m->author = ReadYamlString(doc, "author", errors);
  m->references = ReadYamlList(doc, "references", errors);
  m->tags = ReadYamlList(doc, "tags", errors);
  m->falsepositives = ReadYamlList(doc, "falsepositives", errors);
  ReadLevel(doc, errors, &m->level, &m->severity);
  if (m->id.empty()) m->id = m->name.empty() ? StableId({errors->file(), m->title}) : m->name;
  ParseAttackTags(m->tags, &m->technique_ids, &m->tactic_ids);
}

void ParseAttackTags(const std::vector<std::string>& tags, std::vector<std::string>* techniques,
                     std::vector<std::string>* tactics) {
  constexpr std::string_view kPrefix = "attack.";
  for (const std::string& tag : tags) {
    std::string lower = absl::AsciiStrToLower(tag);
    if (!lower.starts_with(kPrefix) || lower.size() == kPrefix.size()) continue;
    std::string_view rest = std::string_view(lower).substr(kPrefix.size());
    bool id_like = rest.size() >= 2 && absl::ascii_isdigit(static_cast<unsigned char>(rest[1]));
    if (id_like && rest[0] == 't') {
      techniques->push_back(absl::AsciiStrToUpper(std::string(rest)));
    } else if (!(id_like && (rest[0] == 'g' || rest[0] == 's'))) {
      tactics->emplace_back(rest);
    }
  }
}

std::unique_ptr<SigmaRule> SigmaRule::Compile(const YAML::Node& doc, const FieldMap& field_map,
                                              ErrorList* errors) {
  size_t before = errors->size();
  std::unique_ptr<SigmaRule> rule(new SigmaRule());
  rule->metadata_.file = errors->file();
  rule->metadata_.line = doc.Mark().line + 1;
  ReadMetadata(doc, errors, &rule->metadata_);
  rule->CompileBody(doc, field_map, errors->size() == before, errors);
  if (errors->size() != before) return nullptr;
  return rule;
}

std::unique_ptr<SigmaRule> SigmaRule::CompilePart(const YAML::Node& part, RuleMetadata metadata,
                                                  const FieldMap& field_map, ErrorList* errors) {
  size_t before = errors->size();
  std::unique_ptr<SigmaRule> rule(new SigmaRule());
  rule->metadata_ = std::move(metadata);
  rule->metadata_.line = part.Mark().line + 1;
  rule->metadata_.logsource = ReadLogsource(part, errors);
  rule->CompileBody(part, field_map, errors->size() == before, errors);
  if (errors->size() != before) return nullptr;
  return rule;
}

// The logsource (already read into metadata_) must be one the field map serves; then the
// detection of `doc` compiles against it. `check_logsource` is false when the metadata already
// had problems (the logsource message would only repeat them).
void SigmaRule::CompileBody(const YAML::Node& doc, const FieldMap& field_map,
                            bool check_logsource, ErrorList* errors) {
  const Logsource& ls = metadata_.logsource;
  const YAML::Node detection = doc["detection"];
  if (check_logsource && (!ls.category.empty() || !ls.service.empty()) &&
      !field_map.Serves(ls)) {
    // One message per rule rather than one per field: Tripline does not collect these events.
    errors->Add(KeyMark(doc, "logsource"), Cat("the field map has no section for logsource ",
                                      ls.ToString(), "; rule skipped"));
  } else if (!detection || !detection.IsMap()) {
    errors->Add(detection ? detection : doc, "'detection' is required and must be a mapping");
  } else {
    CompileDetection(detection, field_map, errors);
  }
}

bool SigmaRule::CompileDetection(const YAML::Node& detection, const FieldMap& field_map,
                                 ErrorList* errors) {
  size_t before = errors->size();
  YAML::Node condition_key, condition_value;
  for (const auto& kv : detection) {
    const std::string& name = kv.first.Scalar();
    if (name == "condition") {
      condition_key = kv.first;
      condition_value = kv.second;
      continue;
    }
    if (name == "timeframe") {
      errors->Add(kv.first, "detection.timeframe (legacy aggregation) is not supported: "
                            "write a Sigma correlation rule instead");
      continue;
    }
    auto identifier = SearchIdentifier::Compile(kv.second, metadata_.logsource, field_map, errors);
    identifier_names_.push_back(name);
    if (identifier) identifiers_.push_back(*std::move(identifier));
  }
  if (!condition_key) {
    errors->Add(detection, "detection has no 'condition'");
    return false;
  }
  std::vector<std::string> texts;
  if (condition_value.IsScalar()) {
    texts.push_back(condition_value.Scalar());
  } else if (condition_value.IsSequence()) {
    for (const YAML::Node& c : condition_value) {
      if (c.IsScalar()) texts.push_back(c.Scalar());
    }
  }
  if (texts.empty()) {
    errors->Add(condition_key, "condition must be a string or a list of strings");
    return false;
  }
  auto condition = Condition::Parse(texts, identifier_names_);
  if (!condition.ok()) {
    errors->Add(condition_key, Cat("condition: ", condition.status().message()));
    return false;
  }
  condition_ = *std::move(condition);
  return errors->size() == before;
}

}  // namespace tripline::correlator::engine
