#include "correlator/engine/correlation/correlation_rule.h"
#include "correlator/engine/rule_yaml.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "common/hash.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/sigma_rule.h"

namespace tripline::correlator::engine {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

const std::set<std::string, std::less<>> kTopKeys = {
    "title", "id", "name", "status", "description", "author", "references", "date", "modified",
    "taxonomy", "falsepositives", "correlation", "level", "generate", "tags"};
const std::set<std::string, std::less<>> kCorrelationKeys = {
    "type", "rules", "group-by", "timespan", "condition", "aliases", "generate"};

void CheckKeys(const YAML::Node& map, const std::set<std::string, std::less<>>& allowed,
               std::string_view where, ErrorList* errors) {
  for (const auto& kv : map) {
    const std::string& key = kv.first.Scalar();
    if (allowed.count(key) == 0) {
      errors->Add(kv.first.Mark(),
                  Cat("unknown key '", key, "' in ", where, " (not part of Sigma correlation v2)"));
    }
  }
}

std::optional<CorrelationType> ParseType(const YAML::Node& node, ErrorList* errors) {
  if (!node || !node.IsScalar()) {
    errors->Add(node ? node.Mark() : YAML::Mark(), "'correlation.type' is required");
    return std::nullopt;
  }
  const std::string& t = node.Scalar();
  if (t == "event_count") return CorrelationType::kEventCount;
  if (t == "value_count") return CorrelationType::kValueCount;
  if (t == "temporal") return CorrelationType::kTemporal;
  if (t == "temporal_ordered") return CorrelationType::kTemporalOrdered;
  if (t == "value_sum" || t == "value_avg" || t == "value_percentile") {
    errors->Add(node, Cat("correlation type '", t, "' is not supported yet"));
  } else {
    errors->Add(node, Cat("unknown correlation type '", t,
                          "' (event_count, value_count, temporal, temporal_ordered)"));
  }
  return std::nullopt;
}

// `where` places the error when the condition is missing (the `correlation:` block).
void ParseCondition(const YAML::Node& node, const YAML::Mark& where, CorrelationRule* rule,
                    ErrorList* errors) {
  const bool temporal = rule->type == CorrelationType::kTemporal ||
                        rule->type == CorrelationType::kTemporalOrdered;
  if (!node || node.IsNull()) {
    if (!temporal) errors->Add(node ? node.Mark() : where, "'condition' is required");
    return;
  }
  if (!node.IsMap()) {
    errors->Add(node, temporal ? "boolean temporal conditions (Sigma v2.2) are not supported yet"
                               : "'condition' must be a map of gt/gte/lt/lte/eq/neq");
    return;
  }
  CountCondition& c = rule->condition;
  for (const auto& kv : node) {
    const std::string& op = kv.first.Scalar();
    if (op == "field") {
      if (rule->type != CorrelationType::kValueCount) {
        errors->Add(kv.first.Mark(), "'field' is only used by value_count");
      } else if (kv.second.IsSequence() && kv.second.size() == 1 && kv.second[0].IsScalar()) {
        rule->value_field = kv.second[0].Scalar();
      } else if (kv.second.IsScalar()) {
        rule->value_field = kv.second.Scalar();
      } else {
        errors->Add(kv.second, "'field' must be one field name (several are not supported yet)");
      }
      continue;
    }
    std::optional<int64_t>* slot = op == "gt"    ? &c.gt
                                   : op == "gte" ? &c.gte
                                   : op == "lt"  ? &c.lt
                                   : op == "lte" ? &c.lte
                                   : op == "eq"  ? &c.eq
                                   : op == "neq" ? &c.neq
                                                 : nullptr;
    if (slot == nullptr) {
      errors->Add(kv.first.Mark(), Cat("unknown condition '", op, "' (gt, gte, lt, lte, eq, neq)"));
      continue;
    }
    int64_t value = 0;
    if (!kv.second.IsScalar() || !YAML::convert<int64_t>::decode(kv.second, value) || value < 0) {
      errors->Add(kv.second, Cat("condition '", op, "' needs a non-negative integer"));
      continue;
    }
    *slot = value;
  }
  const int lower = (c.gt ? 1 : 0) + (c.gte ? 1 : 0);
  const int upper = (c.lt ? 1 : 0) + (c.lte ? 1 : 0);
  const int exact = (c.eq ? 1 : 0) + (c.neq ? 1 : 0);
  if (c.empty()) {
    if (!temporal) errors->Add(node, "condition needs one of gt, gte, lt, lte, eq, neq");
  } else if (lower > 1 || upper > 1 || exact > 1 || (exact == 1 && lower + upper > 0)) {
    errors->Add(node, "condition must be one comparison or a range of one lower and one upper "
                      "bound");
  } else if (lower == 0 && !c.eq) {
    errors->Add(node, "a condition without a lower bound (lt, lte, neq alone) needs evaluation "
                      "when the window closes; not supported yet");
  }
  if (rule->type == CorrelationType::kValueCount && rule->value_field.empty()) {
    errors->Add(node, "value_count needs 'condition.field'");
  }
}

void ParseAliases(const YAML::Node& node, CorrelationRule* rule, ErrorList* errors) {
  if (!node || node.IsNull()) return;
  if (!node.IsMap()) {
    errors->Add(node, "'aliases' must map alias -> {rule name: field}");
    return;
  }
  for (const auto& alias : node) {
    if (!alias.second.IsMap()) {
      errors->Add(alias.second, Cat("alias '", alias.first.Scalar(), "' must map rule -> field"));
      continue;
    }
    auto& fields = rule->aliases[alias.first.Scalar()];
    for (const auto& kv : alias.second) {
      if (rule->RuleIndex(kv.first.Scalar()) < 0) {
        errors->Add(kv.first.Mark(), Cat("alias '", alias.first.Scalar(), "' names rule '",
                                         kv.first.Scalar(), "' that is not in 'rules'"));
      }
      if (!kv.second.IsScalar()) {
        errors->Add(kv.second, "alias field must be a string");
        continue;
      }
      fields[kv.first.Scalar()] = kv.second.Scalar();
    }
  }
}

void ParseGenerate(const YAML::Node& node, CorrelationRule* rule, ErrorList* errors) {
  if (!node || node.IsNull()) return;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, rule->generate)) {
    errors->Add(node, "'generate' must be true or false");
  }
}

void ParseBody(const YAML::Node& body, CorrelationRule* rule, ErrorList* errors) {
  CheckKeys(body, kCorrelationKeys, "correlation", errors);
  const std::optional<CorrelationType> type = ParseType(body["type"], errors);
  if (type) rule->type = *type;
  rule->rules = ReadYamlList(body, "rules", errors);
  if (rule->rules.empty()) errors->Add(KeyMark(body, "rules"), "'correlation.rules' is required");
  std::set<std::string_view> seen;
  for (const std::string& r : rule->rules) {
    if (!seen.insert(r).second) errors->Add(body["rules"], Cat("rule '", r, "' listed twice"));
  }
  rule->group_by = ReadYamlList(body, "group-by", errors);
  const YAML::Node timespan = body["timespan"];
  if (!timespan || !timespan.IsScalar()) {
    errors->Add(timespan ? timespan.Mark() : KeyMark(body, "timespan"),
                "'correlation.timespan' is required");
  } else if (std::optional<int64_t> us = ParseTimespan(timespan.Scalar()); !us || *us <= 0) {
    errors->Add(timespan, Cat("bad timespan '", timespan.Scalar(),
                              "' (a positive integer and one of s, m, h, d, e.g. 90m)"));
  } else {
    rule->timespan_us = *us;
  }
  if (type) ParseCondition(body["condition"], body.Mark(), rule, errors);
  ParseAliases(body["aliases"], rule, errors);
  ParseGenerate(body["generate"], rule, errors);  // where Hayabusa reads it
}

void ParseMetadata(const YAML::Node& doc, const std::string& file, CorrelationRule* rule,
                   ErrorList* errors) {
  ReadRuleMetadata(doc, errors, &rule->metadata);
  ParseGenerate(doc["generate"], rule, errors);  // where the JSON schema puts it
  rule->metadata.file = file;
  rule->metadata.line = doc.Mark().line + 1;
  rule->fingerprint = StableId({YAML::Dump(doc)});
}

}  // namespace

std::string_view CorrelationTypeName(CorrelationType type) {
  switch (type) {
    case CorrelationType::kEventCount: return "event_count";
    case CorrelationType::kValueCount: return "value_count";
    case CorrelationType::kTemporal: return "temporal";
    case CorrelationType::kTemporalOrdered: return "temporal_ordered";
  }
  return "unknown";
}

int CorrelationRule::RuleIndex(std::string_view base_rule) const {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i] == base_rule) return static_cast<int>(i);
  }
  return -1;
}

std::optional<int64_t> ParseTimespan(std::string_view text) {
  if (text.size() < 2 || text.size() > 10) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = kMicrosPerSecond; break;
    case 'm': unit = 60 * kMicrosPerSecond; break;
    case 'h': unit = 3600 * kMicrosPerSecond; break;
    case 'd': unit = 86400 * kMicrosPerSecond; break;
    default: return std::nullopt;
  }
  int64_t n = 0;
  for (char ch : text.substr(0, text.size() - 1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');  // at most 9 digits: no overflow, even in days
  }
  return n * unit;
}

absl::StatusOr<CorrelationRule> ParseCorrelation(const YAML::Node& doc, const std::string& file,
                                                 ErrorList* errors) {
  const size_t before = errors->size();
  CorrelationRule rule;
  if (!doc.IsMap()) {
    errors->Add(doc, "a correlation rule must be a YAML map");
  } else {
    CheckKeys(doc, kTopKeys, "correlation rule", errors);
    ParseMetadata(doc, file, &rule, errors);
    const YAML::Node body = doc["correlation"];
    if (!body || !body.IsMap()) {
      errors->Add(body ? body.Mark() : doc.Mark(), "'correlation' must be a map");
    } else {
      ParseBody(body, &rule, errors);
    }
  }
  if (errors->size() != before) {
    return absl::InvalidArgumentError(
        Cat(errors->size() - before, " problem(s) in correlation rule of ", file));
  }
  return rule;
}

}  // namespace tripline::correlator::engine
