#include "correlator/engine/field_map.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/error_list.h"

namespace tripline::correlator::engine {
namespace {

using ErrorSink = ErrorList;

std::vector<std::string> ReadStringList(const YAML::Node& node, std::string_view key,
                                        ErrorSink* sink) {
  std::vector<std::string> out;
  if (!node.IsSequence()) {
    sink->Add(node, Cat(key, ": expected a list of strings"));
    return out;
  }
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) {
      sink->Add(item, Cat(key, ": expected a string"));
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

void ReadFields(const YAML::Node& node, std::map<std::string, FieldAccessor, std::less<>>* fields,
                ErrorSink* sink) {
  if (!node.IsMap()) {
    sink->Add(node, "fields: expected a mapping of Sigma name -> Event field");
    return;
  }
  for (const auto& kv : node) {
    const std::string& sigma = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      sink->Add(kv.second, Cat("fields.", sigma, ": expected an Event field name"));
      continue;
    }
    auto accessor = FieldRegistry::Resolve(kv.second.Scalar());
    if (!accessor.ok()) {
      sink->Add(kv.second, Cat("fields.", sigma, ": ", accessor.status().message()));
      continue;
    }
    if (!fields->emplace(sigma, *std::move(accessor)).second) {
      sink->Add(kv.first, Cat("fields.", sigma, ": mapped twice"));
    }
  }
}

void ReadMissing(const YAML::Node& node, std::map<std::string, std::string, std::less<>>* missing,
                 ErrorSink* sink) {
  if (!node.IsMap()) {
    sink->Add(node, "missing: expected a mapping of Sigma name -> why the events lack it");
    return;
  }
  for (const auto& kv : node) {
    if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
      sink->Add(kv.second, Cat("missing.", kv.first.Scalar(), ": expected the reason as text"));
      continue;
    }
    missing->emplace(kv.first.Scalar(), kv.second.Scalar());
  }
}

// `unmapped: <prefix>` or `generic: <prefix>`: a map prefix of the registry.
void ReadPrefix(const std::string& key, const YAML::Node& value, std::string* out,
                ErrorSink* sink) {
  if (!value.IsScalar() || !FieldRegistry::IsMapPrefix(value.Scalar())) {
    sink->Add(value, Cat(key, ": expected a map prefix such as winlog.event_data."));
    return;
  }
  *out = value.Scalar();
}

}  // namespace

bool FieldMap::Section::Serves(const Logsource& ls) const {
  auto has = [](const std::vector<std::string>& names, const std::string& value) {
    return !value.empty() && std::any_of(names.begin(), names.end(), [&](const std::string& n) {
             return absl::EqualsIgnoreCase(n, value);
           });
  };
  if (!products.empty() && !has(products, ls.product)) return false;
  if (categories.empty() && services.empty()) return ls.category.empty() && ls.service.empty();
  return has(categories, ls.category) || has(services, ls.service);
}

FieldMap::Section FieldMap::ReadSection(const YAML::Node& node, ErrorList* sink) {
  static const std::set<std::string> kKeys = {"name",   "categories", "services", "products",
                                              "fields", "unmapped",   "generic",  "missing"};
  Section section;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (kKeys.count(key) == 0) {
      sink->Add(kv.first, Cat("unknown key '", key, "' in section"));
    } else if (key == "name") {
      section.name = kv.second.Scalar();
    } else if (key == "categories") {
      section.categories = ReadStringList(kv.second, key, sink);
    } else if (key == "services") {
      section.services = ReadStringList(kv.second, key, sink);
    } else if (key == "products") {
      section.products = ReadStringList(kv.second, key, sink);
    } else if (key == "fields") {
      ReadFields(kv.second, &section.fields, sink);
    } else if (key == "missing") {
      ReadMissing(kv.second, &section.missing, sink);
    } else {
      ReadPrefix(key, kv.second, key == "generic" ? &section.generic_prefix
                                                  : &section.unmapped_prefix, sink);
    }
  }
  if (section.categories.empty() && section.services.empty() && section.products.empty()) {
    sink->Add(node, Cat("section '", section.name, "' serves no category, service or product"));
  }
  if (!section.generic_prefix.empty() && !section.unmapped_prefix.empty()) {
    sink->Add(node,
              Cat("section '", section.name, "': 'generic' and 'unmapped' exclude each other"));
  }
  return section;
}

FieldMap FieldMap::LoadFile(const std::string& path, std::vector<std::string>* errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors->push_back(Cat(path, ": cannot read the field map"));
    return FieldMap();
  }
  std::stringstream text;
  text << in.rdbuf();
  return LoadString(text.str(), path, errors);
}

FieldMap FieldMap::LoadString(std::string_view yaml, const std::string& file_name,
                              std::vector<std::string>* errors) {
  ErrorSink sink(file_name, errors);
  FieldMap map;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    errors->push_back(Cat(file_name, ":", e.mark.line + 1, ": YAML syntax error: ", e.msg));
    return map;
  }
  if (!root.IsMap()) {
    sink.AddGlobal("expected a mapping with 'sections'");
    return map;
  }
  for (const auto& kv : root) {
    if (kv.first.Scalar() != "sections") {
      sink.Add(kv.first, Cat("unknown key '", kv.first.Scalar(), "'"));
    }
  }
  const YAML::Node sections = root["sections"];
  if (!sections || !sections.IsSequence()) {
    sink.Add(root, "'sections' must be a list");
    return map;
  }
  for (const YAML::Node& node : sections) {
    if (!node.IsMap()) {
      sink.Add(node, "a section must be a mapping");
      continue;
    }
    map.sections_.push_back(ReadSection(node, &sink));
  }
  return map;
}

bool FieldMap::Serves(const Logsource& ls) const {
  return std::any_of(sections_.begin(), sections_.end(),
                     [&](const Section& s) { return s.Serves(ls); });
}

absl::StatusOr<FieldAccessor> FieldMap::Resolve(const Logsource& ls, std::string_view name) const {
  const Section* first = nullptr;
  for (const Section& s : sections_) {
    if (!s.Serves(ls)) continue;
    if (first == nullptr) first = &s;
    auto it = s.fields.find(name);
    if (it != s.fields.end()) return it->second;
    auto why = s.missing.find(name);
    if (why != s.missing.end()) {
      return absl::InvalidArgumentError(Cat("field '", name, "' is not available for logsource ",
                                            ls.ToString(), ": ", why->second,
                                            " (field map section '", s.name, "')"));
    }
  }
  auto direct = FieldRegistry::Resolve(name);
  if (direct.ok()) return direct;
  for (const Section& s : sections_) {
    if (!s.Serves(ls)) continue;
    if (!s.generic_prefix.empty()) return FieldRegistry::Resolve(Cat(s.generic_prefix, name));
    // Only taxonomy-style names fall through to `unmapped`: a dotted name is an Event field, so
    // a typo in one (url.pathh) must not silently become an empty map lookup.
    if (!s.unmapped_prefix.empty() && name.find('.') == std::string_view::npos) {
      return FieldRegistry::Resolve(Cat(s.unmapped_prefix, name));
    }
  }
  if (first == nullptr) {
    return absl::InvalidArgumentError(Cat("field '", name, "': the field map has no ",
                                          "section for logsource ", ls.ToString()));
  }
  return absl::InvalidArgumentError(Cat("unknown field '", name, "' for logsource ",
                                        ls.ToString(), " (field map section '", first->name,
                                        "')"));
}

}  // namespace tripline::correlator::engine
