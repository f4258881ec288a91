#pragma once

#include <memory>

#include "correlator/correlator_config.h"
#include "correlator/engine/rule_set.h"

namespace tripline::correlator {

// Loads the field map and compiles every configured rule file. With rules.on_error=fail any
// problem is an InvalidArgument error listing all of them (`file:line: message`); with skip the
// problems are logged as warnings and the rules that compiled are used. No rule at all is an error.
absl::StatusOr<std::shared_ptr<const engine::RuleSet>> LoadConfiguredRules(
    const CorrelatorConfig& config);

}  // namespace tripline::correlator
