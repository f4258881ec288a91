#include "correlator/engine/rule_yaml.h"

#include "absl/strings/ascii.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

struct LevelName {
  std::string_view name;
  v1::Severity severity;
};
constexpr LevelName kLevels[] = {{"informational", v1::SEVERITY_INFORMATIONAL},
                                 {"low", v1::SEVERITY_LOW},
                                 {"medium", v1::SEVERITY_MEDIUM},
                                 {"high", v1::SEVERITY_HIGH},
                                 {"critical", v1::SEVERITY_CRITICAL}};

}  // namespace

std::string ReadYamlString(const YAML::Node& map, const char* key, ErrorList* errors) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) return "";
  if (!node.IsScalar()) {
    errors->Add(node, Cat("'", key, "' must be a string"));
    return "";
  }
  return node.Scalar();
}

std::vector<std::string> ReadYamlList(const YAML::Node& map, const char* key, ErrorList* errors) {
  std::vector<std::string> out;
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) return out;
  if (node.IsScalar()) return {node.Scalar()};
  if (!node.IsSequence()) {
    errors->Add(node, Cat("'", key, "' must be a list of strings"));
    return out;
  }
  for (const YAML::Node& item : node) {
    if (item.IsScalar()) {
      out.push_back(item.Scalar());
    } else {
      errors->Add(item, Cat("'", key, "' must be a list of strings"));
    }
  }
  return out;
}

void ReadLevel(const YAML::Node& doc, ErrorList* errors, std::string* level,
               v1::Severity* severity) {
  *level = absl::AsciiStrToLower(ReadYamlString(doc, "level", errors));
  if (level->empty()) return;
  for (const LevelName& l : kLevels) {
    if (l.name == *level) {
      *severity = l.severity;
      return;
    }
  }
  errors->Add(doc["level"],
              Cat("unknown level '", *level, "' (informational, low, medium, high, critical)"));
}

}  // namespace tripline::correlator::engine
