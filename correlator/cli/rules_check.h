#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "correlator/engine/field_map.h"

namespace tripline::correlator::cli {

struct RulesCheckOptions {
  std::vector<std::string> paths;  // rule files or folders
  bool json = false;
};

// One problem RuleLoader reported, split from its "file:line: message" text.
struct RuleProblem {
  std::string file;
  int line = 0;  // 0 when the problem has no position (unreadable file)
  std::string reason;
  std::string reason_class;  // ClassifyProblem()
};

RuleProblem ParseProblem(const std::string& text);

// A coarse class for the summary: yaml, field, logsource, modifier, condition, correlation,
// unsupported, duplicate, schema, io.
std::string ClassifyProblem(const std::string& reason);

// `tripline rules check`: loads the rules against `field_map`, prints every problem as
// file:line: reason, then "N loaded, M rejected (P% of T rules loaded)" and the counts by reason
// class (or all of it as one JSON object with --json). Returns the exit code: 0 when every rule
// loaded, 1 when some were rejected. Runs on the caller's thread; writes only to `out`.
int RunRulesCheck(const RulesCheckOptions& options, const engine::FieldMap& field_map,
                  std::ostream& out);

}  // namespace tripline::correlator::cli
