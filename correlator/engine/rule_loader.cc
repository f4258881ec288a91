#include "correlator/engine/rule_loader.h"

#include <optional>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/error_list.h"
#include "correlator/engine/sequence/tripline_rule.h"

namespace tripline::correlator::engine {
namespace {

namespace fs = std::filesystem;

bool IsRuleFile(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

// Every rule file under `path`, sorted so that loading order (and error order) is stable.
std::vector<std::string> ListRuleFiles(const std::string& path, std::vector<std::string>* errors) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return {path};
  if (!fs::is_directory(path, ec)) {
    errors->push_back(Cat(path, ": no such rule file or folder"));
    return files;
  }
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && IsRuleFile(it->path())) files.push_back(it->path().string());
  }
  if (ec) errors->push_back(Cat(path, ": cannot list rules: ", ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

struct RuleLoader::Pending {
  std::vector<std::unique_ptr<SigmaRule>> rules;
  struct CorrelationDoc {
    YAML::Node doc;
    std::string file;
  };
  std::vector<CorrelationDoc> correlations;  // bound after every file was read
  TriplineRules tripline;
  std::map<std::string, std::string> first_seen;  // rule id -> "file:line"
  std::vector<std::string> errors;
};

LoadResult RuleLoader::LoadPaths(const std::vector<std::string>& paths) const {
  Pending pending;
  for (const std::string& path : paths) {
    for (const std::string& file : ListRuleFiles(path, &pending.errors)) LoadFile(file, &pending);
  }
  return Finish(&pending);
}

LoadResult RuleLoader::LoadString(std::string_view text, const std::string& file_name) const {
  Pending pending;
  LoadText(text, file_name, &pending);
  return Finish(&pending);
}

void RuleLoader::LoadFile(const std::string& path, Pending* pending) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    pending->errors.push_back(Cat(path, ": cannot read rule file"));
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  LoadText(text.str(), path, pending);
}

void RuleLoader::LoadText(std::string_view text, const std::string& file_name,
                          Pending* pending) const {
  ErrorList errors(file_name, &pending->errors);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    errors.Add(e.mark, Cat("YAML syntax error: ", e.msg));
    return;
  }
  for (const YAML::Node& doc : docs) {
    if (doc.IsNull()) continue;  // an empty document (trailing ---)
    if (!doc.IsMap()) {
      errors.Add(doc, "a rule document must be a mapping");
      continue;
    }
    if (doc["correlation"]) {
      pending->correlations.push_back({doc, file_name});
      continue;
    }
    if (doc["tripline"]) {
      LoadTripline(doc, &errors, pending);
      continue;
    }
    std::unique_ptr<SigmaRule> rule = SigmaRule::Compile(doc, *field_map_, &errors);
    if (rule && Register(rule->metadata(), doc, &errors, pending)) {
      pending->rules.push_back(std::move(rule));
    }
  }
}

// Rule ids are unique across every kind: alerts and saved state are keyed by them.
bool RuleLoader::Register(const RuleMetadata& metadata, const YAML::Node& doc, ErrorList* errors,
                          Pending* pending) const {
  std::string where = Cat(errors->file(), ":", metadata.line);
  auto [it, inserted] = pending->first_seen.emplace(metadata.id, where);
  if (!inserted) {
    errors->Add(doc, Cat("duplicate rule id '", metadata.id, "' (first defined at ", it->second,
                         ")"));
  }
  return inserted;
}

// A `tripline:` document: a sequence or a first-seen rule, compiled right away (it names no
// other rule).
void RuleLoader::LoadTripline(const YAML::Node& doc, ErrorList* errors, Pending* pending) const {
  std::optional<TriplineKind> kind = ParseTriplineKind(doc, errors);
  if (kind == TriplineKind::kSequence) {
    auto rule = ParseSequence(doc, *field_map_, errors);
    if (rule && Register(rule->metadata, doc, errors, pending)) {
      pending->tripline.sequences.push_back(std::move(rule));
    }
  } else if (kind == TriplineKind::kFirstSeen) {
    auto rule = ParseFirstSeen(doc, *field_map_, errors);
    if (rule && Register(rule->metadata, doc, errors, pending)) {
      pending->tripline.first_seen.push_back(std::move(rule));
    }
  }
}

namespace {

const SigmaRule* FindRule(const std::vector<std::unique_ptr<SigmaRule>>& rules,
                          std::string_view name) {
  for (const auto& r : rules) {
    if (r->metadata().name == name || r->metadata().id == name) return r.get();
  }
  return nullptr;
}

// Binds a parsed correlation to its base rules and resolves, per base rule, the accessors of the
// group-by fields (through `aliases`) and of the value_count field. nullopt after an error.
std::optional<BoundCorrelation> Bind(std::shared_ptr<const CorrelationRule> rule,
                                     const std::vector<std::unique_ptr<SigmaRule>>& rules,
                                     const FieldMap& field_map, const YAML::Node& doc,
                                     ErrorList* errors) {
  BoundCorrelation bound;
  bool ok = true;
  for (const std::string& name : rule->rules) {
    const SigmaRule* base = FindRule(rules, name);
    if (base == nullptr) {
      errors->Add(doc, Cat("correlation '", rule->metadata.title, "': no loaded rule named '", name, "'"));
      ok = false;
      continue;
    }
    auto resolve = [&](const std::string& field) -> std::optional<FieldAccessor> {
      std::string actual = field;
      auto alias = rule->aliases.find(field);
      if (alias != rule->aliases.end()) {
        auto per_rule = alias->second.find(name);
        if (per_rule != alias->second.end()) actual = per_rule->second;
      }
      auto accessor = field_map.Resolve(base->metadata().logsource, actual);
      if (!accessor.ok()) {
        errors->Add(doc, Cat("correlation '", rule->metadata.title, "': ", accessor.status().message()));
        ok = false;
        return std::nullopt;
      }
      return *accessor;
    };
    std::vector<FieldAccessor> group;
    for (const std::string& field : rule->group_by) {
      if (auto a = resolve(field)) group.push_back(*a);
    }
    bound.base.push_back(base);
    bound.group_by.push_back(std::move(group));
    bound.value.push_back(rule->value_field.empty() ? std::nullopt : resolve(rule->value_field));
  }
  if (!ok) return std::nullopt;
  bound.rule = std::move(rule);
  return bound;
}

}  // namespace

LoadResult RuleLoader::Finish(Pending* pending) const {
  LoadResult result;
  std::vector<BoundCorrelation> correlations;
  for (const auto& c : pending->correlations) {
    ErrorList errors(c.file, &pending->errors);
    auto parsed = ParseCorrelation(c.doc, c.file, &errors);
    if (!parsed.ok()) continue;  // ParseCorrelation listed the problems
    auto rule = std::make_shared<const CorrelationRule>(std::move(*parsed));
    if (auto bound = Bind(rule, pending->rules, *field_map_, c.doc, &errors)) {
      correlations.push_back(std::move(*bound));
    }
  }
  // A sequence step's `first_seen:` must name a first-seen rule of the set.
  for (const auto& seq : pending->tripline.sequences) {
    for (const SequenceStep& step : seq->steps) {
      if (step.first_seen.empty()) continue;
      bool found = false;
      for (const auto& fs : pending->tripline.first_seen) {
        found |= fs->metadata.id == step.first_seen || fs->metadata.name == step.first_seen;
      }
      if (!found) {
        pending->errors.push_back(Cat(step.first_seen_where, ": step '", step.name,
                                      "': first_seen '", step.first_seen,
                                      "' names no first-seen rule of the rule set"));
      }
    }
  }
  result.rules = std::make_shared<const RuleSet>(
      std::move(pending->rules), std::move(correlations), std::move(pending->tripline));
  result.errors = std::move(pending->errors);
  return result;
}

}  // namespace tripline::correlator::engine
