#include "correlator/engine/search_identifier.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

using Values = std::vector<std::optional<std::string>>;

// Modifiers that decide how a keyword is compared; without one a keyword is a substring.
const std::set<std::string, std::less<>> kKeywordTypes = {
    "contains", "startswith", "endswith", "re", "cidr", "exists", "fieldref",
    "gt",       "gte",        "lt",       "lte"};

// The values of one key: a scalar, null, or a list of scalars / nulls.
std::optional<Values> ReadValues(const YAML::Node& node, const std::string& key,
                                 ErrorList* errors) {
  Values values;
  if (node.IsNull()) {
    values.emplace_back(std::nullopt);
  } else if (node.IsScalar()) {
    values.emplace_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (item.IsNull()) {
        values.emplace_back(std::nullopt);
      } else if (item.IsScalar()) {
        values.emplace_back(item.Scalar());
      } else {
        errors->Add(item, Cat("'", key, "': a value list may hold only plain values"));
        return std::nullopt;
      }
    }
    if (values.empty()) {
      errors->Add(node, Cat("'", key, "': empty value list"));
      return std::nullopt;
    }
  } else {
    errors->Add(node, Cat("'", key, "': expected a value or a list of values"));
    return std::nullopt;
  }
  return values;
}

std::optional<FieldMatch> CompileKey(const std::string& key, const YAML::Mark& mark,
                                     const YAML::Node& value_node, const Logsource& ls,
                                     const FieldMap& field_map, ErrorList* errors) {
  std::vector<std::string> parts = absl::StrSplit(key, '|');
  std::string field_name = parts.front();
  std::vector<std::string> modifiers(parts.begin() + 1, parts.end());
  std::optional<Values> values = ReadValues(value_node, key, errors);
  if (!values) return std::nullopt;
  absl::StatusOr<FieldAccessor> field;
  if (field_name.empty()) {  // '|all': keywords with modifiers
    field = FieldRegistry::Resolve("event.original");
    bool typed = false;
    for (const std::string& m : modifiers) typed = typed || kKeywordTypes.count(m) > 0;
    if (!typed) modifiers.emplace_back("contains");
  } else {
    field = field_map.Resolve(ls, field_name);
  }
  auto resolve_ref = [&](std::string_view name) { return field_map.Resolve(ls, name); };
  auto matcher = ValueMatcher::Compile(modifiers, *values, resolve_ref);
  bool ok = true;
  if (!field.ok()) {
    errors->Add(mark, StdView(field.status().message()));
    ok = false;
  }
  if (!matcher.ok()) {
    errors->Add(mark, Cat("'", key, "': ", matcher.status().message()));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return FieldMatch{*std::move(field), *std::move(matcher)};
}

std::optional<std::vector<FieldMatch>> CompileMap(const YAML::Node& node, const Logsource& ls,
                                                  const FieldMap& field_map, ErrorList* errors) {
  if (node.size() == 0) {
    errors->Add(node, "empty selection");
    return std::nullopt;
  }
  std::vector<FieldMatch> all;
  bool ok = true;
  for (const auto& kv : node) {
    auto match = CompileKey(kv.first.Scalar(), kv.first.Mark(), kv.second, ls, field_map, errors);
    if (match) {
      all.push_back(*std::move(match));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return all;
}

}  // namespace

std::optional<SearchIdentifier> SearchIdentifier::Compile(const YAML::Node& node,
                                                          const Logsource& ls,
                                                          const FieldMap& field_map,
                                                          ErrorList* errors) {
  SearchIdentifier out;
  size_t before = errors->size();
  if (node.IsMap()) {
    auto all = CompileMap(node, ls, field_map, errors);
    if (all) out.alternatives_.push_back(*std::move(all));
  } else if (node.IsSequence() && node.size() > 0 && node[0].IsMap()) {
    for (const YAML::Node& item : node) {
      if (!item.IsMap()) {
        errors->Add(item, "a list of selections may hold only mappings");
        continue;
      }
      auto all = CompileMap(item, ls, field_map, errors);
      if (all) out.alternatives_.push_back(*std::move(all));
    }
  } else if (node.IsSequence() || node.IsScalar()) {
    // Keywords: plain values searched in the raw record.
    auto match = CompileKey("|contains", node.Mark(), node, ls, field_map, errors);
    if (match) {
      out.alternatives_.emplace_back();
      out.alternatives_.back().push_back(*std::move(match));
    }
  } else {
    errors->Add(node, "a search identifier must be a mapping, a list of mappings or keywords");
  }
  if (errors->size() != before) return std::nullopt;
  return out;
}

Requirement FieldMatch::Required() const {
  auto literals = matcher.RequiredLiterals();
  if (!literals) return std::nullopt;
  std::vector<RequiredLiteral> out;
  for (std::string& text : *literals) out.push_back(RequiredLiteral{&field, std::move(text)});
  return out;
}

Requirement SearchIdentifier::Required() const {
  Requirement out = std::vector<RequiredLiteral>{};
  for (const std::vector<FieldMatch>& all : alternatives_) {
    Requirement alternative;
    for (const FieldMatch& m : all) alternative = MoreSelective(std::move(alternative), m.Required());
    out = EitherOf(std::move(out), std::move(alternative));
  }
  if (out && out->empty()) return std::nullopt;
  return out;
}

}  // namespace tripline::correlator::engine
