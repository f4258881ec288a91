#include "agent/parsers/csv/value_parsing.h"

#include "common/time_util.h"

namespace tripline::agent {
namespace {

bool Digits(std::string_view v, size_t pos, size_t len, int& out) {
  if (v.size() < pos + len) return false;
  auto [p, ec] = std::from_chars(v.data() + pos, v.data() + pos + len, out);
  return ec == std::errc() && p == v.data() + pos + len;
}

// Parses the part after the seconds: [.fraction][Z|z|+hh:mm|-hh:mm]. Returns false if malformed.
bool ParseFractionAndZone(std::string_view rest, int32_t& nanos, int64_t& offset_secs) {
  size_t pos = 0;
  nanos = 0;
  offset_secs = 0;
  if (pos < rest.size() && rest[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < rest.size() && rest[pos] >= '0' && rest[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (rest[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  if (pos == rest.size()) return true;
  if ((rest[pos] == 'Z' || rest[pos] == 'z') && pos + 1 == rest.size()) return true;
  if ((rest[pos] == '+' || rest[pos] == '-') && rest.size() - pos == 6 && rest[pos + 3] == ':') {
    int h = 0, m = 0;
    if (!Digits(rest, pos + 1, 2, h) || !Digits(rest, pos + 4, 2, m) || h > 23 || m > 59) {
      return false;
    }
    offset_secs = (rest[pos] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
  }
  return false;
}

}  // namespace

absl::Status ParseRfc3339(std::string_view field, std::string_view v,
                          google::protobuf::Timestamp& out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int32_t nanos = 0;
  int64_t offset = 0;
  const bool ok = v.size() >= 19 && Digits(v, 0, 4, y) && v[4] == '-' && Digits(v, 5, 2, mo) &&
                  v[7] == '-' && Digits(v, 8, 2, d) &&
                  (v[10] == 'T' || v[10] == 't' || v[10] == ' ') && Digits(v, 11, 2, h) &&
                  v[13] == ':' && Digits(v, 14, 2, mi) && v[16] == ':' && Digits(v, 17, 2, s) &&
                  mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60 &&
                  ParseFractionAndZone(v.substr(19), nanos, offset);
  if (!ok) {
    return absl::InvalidArgumentError("field " + std::string(field) +
                                      ": expected an ISO 8601 time like 2021-03-03T06:49:42.162Z, "
                                      "got '" + std::string(v.substr(0, 40)) + "'");
  }
  out.set_seconds(DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset);
  out.set_nanos(nanos);
  return absl::OkStatus();
}

std::string_view StripBom(std::string_view line) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
  return line;
}

}  // namespace tripline::agent
