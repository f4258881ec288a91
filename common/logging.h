#pragma once

#include <string>

#include "common/status.h"

namespace tripline {

// Configures the default spdlog logger for a binary: `level` is trace|debug|info|warn|error,
// `format` is "text" (coloured when stderr is a terminal) or "json" (one object per line, for
// machines). Called once from main before any other thread starts.
absl::Status SetupLogging(const std::string& program, const std::string& level,
                          const std::string& format);

}  // namespace tripline
