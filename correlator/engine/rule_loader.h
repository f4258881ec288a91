#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "correlator/engine/error_list.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_set.h"

namespace tripline::correlator::engine {

// What loading produced: the rules that compiled, and every problem as "file:line: message".
// A bad rule never stops the good ones from loading.
struct LoadResult {
  std::shared_ptr<const RuleSet> rules;
  std::vector<std::string> errors;
};

// Reads Sigma rule files (.yml / .yaml; folders recursively, in sorted order; multi-document
// files allowed) and compiles them against a field map. Correlation documents (`correlation:`)
// are bound to the detection rules they name once every file is read; Tripline documents
// (`tripline: sequence | first_seen`, sequence/README.md) compile on their own. Duplicate rule
// ids (across all kinds) are errors. Runs on whatever thread reloads rules (never a worker);
// keeps no state between calls.
class RuleLoader {
 public:
  explicit RuleLoader(const FieldMap* field_map) : field_map_(field_map) {}

  LoadResult LoadPaths(const std::vector<std::string>& paths) const;
  // `text` stands for the content of `file_name` (tests, the gRPC RuleService).
  LoadResult LoadString(std::string_view text, const std::string& file_name) const;

 private:
  struct Pending;
  void LoadFile(const std::string& path, Pending* pending) const;
  void LoadText(std::string_view text, const std::string& file_name, Pending* pending) const;
  void LoadTripline(const YAML::Node& doc, ErrorList* errors, Pending* pending) const;
  bool Register(const RuleMetadata& metadata, const YAML::Node& doc, ErrorList* errors,
                Pending* pending) const;
  LoadResult Finish(Pending* pending) const;

  const FieldMap* field_map_;  // not owned; outlives the loader
};

}  // namespace tripline::correlator::engine
