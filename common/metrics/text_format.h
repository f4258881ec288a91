#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

// Pieces of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats): name rules, escaping and number
// formatting. Pure functions with no state; safe from any thread. Registry::Render assembles them.
namespace tripline::metrics {

// The Content-Type a scrape response carries.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// `[a-zA-Z_:][a-zA-Z0-9_:]*`. The error names the offending name.
[[nodiscard]] absl::Status ValidateMetricName(std::string_view name);

// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved for Prometheus itself).
[[nodiscard]] absl::Status ValidateLabelName(std::string_view name);

// `# HELP` text: `\` -> `\\`, newline -> `\n`.
void AppendEscapedHelp(std::string_view help, std::string& out);

// Label values: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
void AppendEscapedLabelValue(std::string_view value, std::string& out);

// Sample values. Integral values print as integers with no exponent ("3", not "3e+00"); other
// finite values print in the shortest form that reads back exactly; NaN, +Inf and -Inf print as
// "NaN", "+Inf", "-Inf". Negative zero prints as "0".
void AppendValue(double value, std::string& out);
void AppendValue(uint64_t value, std::string& out);

// Convenience for tests and `le` labels.
std::string FormatValue(double value);

}  // namespace tripline::metrics
