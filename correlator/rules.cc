#include "correlator/rules.h"

#include <spdlog/spdlog.h>

#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"

namespace tripline::correlator {
namespace {

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const engine::RuleSet>> LoadConfiguredRules(
    const CorrelatorConfig& config) {
  std::vector<std::string> errors;
  engine::FieldMap field_map = engine::FieldMap::LoadFile(config.field_map, &errors);
  if (!errors.empty()) return absl::InvalidArgumentError(JoinLines(errors));
  engine::RuleLoader loader(&field_map);
  engine::LoadResult result = loader.LoadPaths(config.rule_paths);
  if (!result.errors.empty()) {
    if (!config.skip_bad_rules) return absl::InvalidArgumentError(JoinLines(result.errors));
    for (const auto& e : result.errors) spdlog::warn("rule skipped: {}", e);
  }
  if (!result.rules || result.rules->size() == 0) {
    return absl::InvalidArgumentError("no rule compiled from the configured rules.paths\n");
  }
  spdlog::info("{} rule(s) compiled, {} problem(s)", result.rules->size(), result.errors.size());
  return result.rules;
}

}  // namespace tripline::correlator
