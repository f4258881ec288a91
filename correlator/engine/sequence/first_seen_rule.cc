#include "correlator/engine/sequence/first_seen_rule.h"

#include "absl/strings/ascii.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/sequence/tripline_rule.h"

namespace tripline::correlator::engine {
namespace {

std::vector<FieldAccessor> Resolve(const std::vector<std::string>& names, const char* what,
                                   const FieldMap& field_map, const Logsource& logsource,
                                   const YAML::Node& at, ErrorList* errors) {
  std::vector<FieldAccessor> out;
  for (const std::string& name : names) {
    auto accessor = field_map.Resolve(logsource, name);
    if (accessor.ok()) {
      out.push_back(*accessor);
    } else {
      errors->Add(at, Cat(what, " field '", name, "': ", accessor.status().message()));
    }
  }
  return out;
}

// Appends the fields' values joined by kKeySeparator; false when all are absent or empty.
bool AppendValues(const std::vector<FieldAccessor>& fields, const v1::Event& event,
                  std::string* out) {
  std::string scratch;
  bool any = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(kKeySeparator);
    FieldValue v = fields[i].Get(event, &scratch);
    if (!v || v->empty()) continue;
    out->append(*v);
    any = true;
  }
  return any;
}

}  // namespace

bool FirstSeenRule::Match(const v1::Event& event, const EventLogsource& logsource,
                          MatchScratch* scratch, std::string* key_out,
                          std::string* value_out) const {
  if (!filter->MayMatch(*scratch) || !LogsourceMatches(filter->metadata().logsource, logsource)) {
    return false;
  }
  if (!filter->Matches(event, scratch)) return false;
  value_out->clear();
  if (!AppendValues(value, event, value_out)) return false;
  absl::AsciiStrToLower(value_out);
  key_out->clear();
  AppendValues(key, event, key_out);
  return true;
}

std::shared_ptr<const FirstSeenRule> ParseFirstSeen(const YAML::Node& doc,
                                                    const FieldMap& field_map, ErrorList* errors) {
  const size_t before = errors->size();
  auto rule = std::make_shared<FirstSeenRule>();
  CheckAllowedKeys(doc,
                   {"tripline", "title", "id", "name", "status", "description", "author",
                    "references", "date", "modified", "level", "tags", "falsepositives", "key",
                    "value", "baseline", "logsource", "detection"},
                   "first_seen rule", errors);
  ReadTriplineMetadata(doc, errors, &rule->metadata);
  rule->key_names = ReadFieldNames(doc, "key", errors);
  rule->value_names = ReadFieldNames(doc, "value", errors);
  rule->baseline_us = ReadDuration(doc, "baseline", true, errors);
  rule->filter = SigmaRule::CompilePart(doc, rule->metadata, field_map, errors);
  if (rule->filter) {
    const Logsource& ls = rule->filter->metadata().logsource;
    rule->metadata.logsource = ls;
    rule->key = Resolve(rule->key_names, "key", field_map, ls, doc["key"], errors);
    rule->value = Resolve(rule->value_names, "value", field_map, ls, doc["value"], errors);
  }
  rule->fingerprint = RuleFingerprint(doc);
  if (errors->size() != before) return nullptr;
  return rule;
}

}  // namespace tripline::correlator::engine
