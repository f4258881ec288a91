#pragma once

#include "common/strings.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "google/protobuf/timestamp.pb.h"

namespace tripline::agent {

// Value helpers shared by the CSV-shaped and JSON parsers. Pure functions, no state: callable
// from any thread. Error messages name the field so that a counted parse error says what to fix.

// RFC 3339 / ISO 8601 date-time as Exchange and JSON loggers write it:
// `2021-03-03T06:49:42.162Z`, `2021-03-03 06:49:42`, `2021-03-03T08:49:42.1+02:00`. Fractions up
// to nanoseconds; no zone means UTC (Exchange logs are UTC). Fills `out` on success.
[[nodiscard]] absl::Status ParseRfc3339(std::string_view field, std::string_view value,
                                        google::protobuf::Timestamp& out);

// Whole-string decimal number; an empty value is 0.
template <typename T>
[[nodiscard]] absl::Status ParseNumber(std::string_view field, std::string_view v, T& out) {
  if (v.empty()) {
    out = 0;
    return absl::OkStatus();
  }
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    return absl::InvalidArgumentError("field " + std::string(field) + ": expected a number, got '" +
                                      std::string(v.substr(0, 64)) + "'");
  }
  return absl::OkStatus();
}

// Parses `v` as T and hands it to `set` (a protobuf setter lambda).
template <typename T, typename Setter>
[[nodiscard]] absl::Status SetNumber(std::string_view field, std::string_view v, Setter set) {
  T n{};
  TRIPLINE_RETURN_IF_ERROR(ParseNumber(field, v, n));
  set(n);
  return absl::OkStatus();
}


// A UTF-8 byte order mark at the start of `line` is removed.
std::string_view StripBom(std::string_view line);

}  // namespace tripline::agent
