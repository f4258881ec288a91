#include "correlator/cli/rules_check.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "correlator/engine/rule_loader.h"

namespace tripline::correlator::cli {
namespace {

bool Contains(const std::string& text, const char* needle) {
  return text.find(needle) != std::string::npos;
}

// Rule documents in `file` (a file YAML cannot parse counts as one).
int CountDocuments(const std::string& file) {
  try {
    int n = 0;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(file)) n += doc.IsNull() ? 0 : 1;
    return n;
  } catch (const std::exception&) {
    return 1;
  }
}

// Rules rejected: per file with problems, its documents minus the rules that loaded from it.
int CountRejected(const std::vector<RuleProblem>& problems, const engine::RuleSet& rules) {
  std::map<std::string, int> loaded_by_file;
  for (const auto& rule : rules.rules()) ++loaded_by_file[rule->metadata().file];
  std::set<std::string> files;
  for (const RuleProblem& p : problems) files.insert(p.file);
  int rejected = 0;
  for (const std::string& f : files) {
    int missing = CountDocuments(f) - loaded_by_file[f];
    rejected += missing > 0 ? missing : 1;
  }
  return rejected;
}

}  // namespace

RuleProblem ParseProblem(const std::string& text) {
  RuleProblem p;
  size_t sep = text.find(": ");
  std::string where = text.substr(0, sep);
  p.reason = sep == std::string::npos ? text : text.substr(sep + 2);
  size_t colon = where.rfind(':');
  bool has_line = colon != std::string::npos && colon + 1 < where.size();
  for (size_t i = colon + 1; has_line && i < where.size(); ++i) {
    has_line = std::isdigit(static_cast<unsigned char>(where[i])) != 0;
  }
  if (has_line) {
    p.file = where.substr(0, colon);
    p.line = std::stoi(where.substr(colon + 1));
  } else {
    p.file = where;
  }
  p.reason_class = ClassifyProblem(p.reason);
  return p;
}

std::string ClassifyProblem(const std::string& reason) {
  if (Contains(reason, "YAML syntax")) return "yaml";
  if (Contains(reason, "correlation")) return "correlation";
  if (Contains(reason, "duplicate rule id")) return "duplicate";
  if (Contains(reason, "no such rule") || Contains(reason, "cannot read") ||
      Contains(reason, "cannot list")) {
    return "io";
  }
  if (Contains(reason, "no section for logsource")) return "logsource";
  if (Contains(reason, "unknown field") || Contains(reason, "field '")) return "field";
  if (Contains(reason, "logsource")) return "logsource";
  if (Contains(reason, "modifier")) return "modifier";
  if (Contains(reason, "condition")) return "condition";
  if (Contains(reason, "not supported")) return "unsupported";
  return "schema";
}

int RunRulesCheck(const RulesCheckOptions& options, const engine::FieldMap& field_map,
                  std::ostream& out) {
  engine::RuleLoader loader(&field_map);
  engine::LoadResult result = loader.LoadPaths(options.paths);
  std::vector<RuleProblem> problems;
  std::map<std::string, int> by_class;
  for (const std::string& e : result.errors) {
    problems.push_back(ParseProblem(e));
    ++by_class[problems.back().reason_class];
  }
  size_t loaded = result.rules ? result.rules->size() : 0;
  int rejected = result.rules ? CountRejected(problems, *result.rules)
                              : static_cast<int>(problems.size());
  size_t total = loaded + static_cast<size_t>(rejected);
  double share =
      total == 0 ? 100.0 : 100.0 * static_cast<double>(loaded) / static_cast<double>(total);
  if (options.json) {
    nlohmann::json doc = {{"loaded", loaded},
                          {"rejected", rejected},
                          {"loaded_percent", share},
                          {"by_class", by_class}};
    doc["problems"] = nlohmann::json::array();
    for (const RuleProblem& p : problems) {
      doc["problems"].push_back(
          {{"file", p.file}, {"line", p.line}, {"reason", p.reason}, {"class", p.reason_class}});
    }
    out << doc.dump() << "\n";
  } else {
    for (const std::string& e : result.errors) out << e << "\n";
    char percent[32];
    std::snprintf(percent, sizeof(percent), "%.1f%%", share);
    out << loaded << " loaded, " << rejected << " rejected (" << percent << " of " << total
        << " rules loaded)\n";
    for (const auto& [cls, n] : by_class) out << "  " << cls << ": " << n << "\n";
  }
  return problems.empty() ? 0 : 1;
}

}  // namespace tripline::correlator::cli
