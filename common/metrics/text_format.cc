#include "common/metrics/text_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace tripline::metrics {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Quotes the name for an error message without letting control characters through.
std::string Quoted(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  out += '"';
  return out;
}

// Doubles in this range are exactly integral in binary and print without an exponent.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

}  // namespace

absl::Status ValidateMetricName(std::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("metric name is empty");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c));
    if (!ok) {
      return absl::InvalidArgumentError("metric name " + Quoted(name) +
                                        " must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateLabelName(std::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("label name is empty");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c));
    if (!ok) {
      return absl::InvalidArgumentError("label name " + Quoted(name) +
                                        " must match [a-zA-Z_][a-zA-Z0-9_]*");
    }
  }
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') {
    return absl::InvalidArgumentError("label name " + Quoted(name) +
                                      " starts with __, which Prometheus reserves");
  }
  return absl::OkStatus();
}

void AppendEscapedHelp(std::string_view help, std::string& out) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendEscapedLabelValue(std::string_view value, std::string& out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (value == 0.0) {
    out += '0';  // also folds -0
    return;
  }
  std::array<char, 64> buf;
  std::to_chars_result r;
  if (std::fabs(value) <= kMaxExactInteger && std::trunc(value) == value) {
    r = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<int64_t>(value));
  } else {
    // Shortest representation that parses back to the same double (Go's ParseFloat accepts it).
    r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  }
  out.append(buf.data(), r.ptr);
}

void AppendValue(uint64_t value, std::string& out) {
  std::array<char, 24> buf;
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), r.ptr);
}

std::string FormatValue(double value) {
  std::string out;
  AppendValue(value, out);
  return out;
}

}  // namespace tripline::metrics
