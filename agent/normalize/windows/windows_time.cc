#include "agent/normalize/windows/windows_time.h"

#include <charconv>

#include "common/time_util.h"

namespace tripline::agent {
namespace {

bool Digits(std::string_view text, size_t pos, size_t len, int& out) {
  if (text.size() < pos + len) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + len, out);
  return true;
}

// Parses "[.fraction]" at `pos`, advancing it; returns the fraction in microseconds.
int64_t Fraction(std::string_view text, size_t& pos) {
  if (pos >= text.size() || (text[pos] != '.' && text[pos] != ',')) return 0;
  ++pos;
  int64_t micros = 0;
  int digits = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
    if (digits < 6) micros = micros * 10 + (text[pos] - '0');
  }
  for (; digits < 6; ++digits) micros *= 10;
  return micros;
}

// Parses the zone at `pos` ("", "Z", "+hh:mm", "-hhmm", "+hh"); offset in seconds east of UTC.
bool Zone(std::string_view text, size_t pos, int64_t& offset) {
  offset = 0;
  if (pos == text.size()) return true;
  if (text[pos] == 'Z' || text[pos] == 'z') return pos + 1 == text.size();
  if (text[pos] != '+' && text[pos] != '-') return false;
  int sign = text[pos] == '-' ? -1 : 1;
  int h = 0, m = 0;
  if (!Digits(text, pos + 1, 2, h)) return false;
  size_t rest = pos + 3;
  if (rest < text.size() && text[rest] == ':') ++rest;
  if (rest < text.size() && !Digits(text, rest, 2, m)) return false;
  if (rest < text.size() && rest + 2 != text.size()) return false;
  offset = sign * (h * 3600 + m * 60);
  return h < 24 && m < 60;
}

}  // namespace

bool ParseWindowsTime(std::string_view text, int64_t& micros) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !Digits(text, 5, 2, mo) ||
      text[7] != '-' || !Digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
      !Digits(text, 11, 2, h) || text[13] != ':' || !Digits(text, 14, 2, mi) || text[16] != ':' ||
      !Digits(text, 17, 2, s)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  size_t pos = 19;
  int64_t fraction = Fraction(text, pos);
  int64_t offset = 0;
  if (!Zone(text, pos, offset)) return false;
  int64_t secs = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + s - offset;
  micros = secs * 1000000 + fraction;
  return true;
}

int64_t FileTimeToMicros(uint64_t filetime) {
  constexpr int64_t kEpochDeltaMicros = 11644473600LL * 1000000;  // 1601 -> 1970
  return static_cast<int64_t>(filetime / 10) - kEpochDeltaMicros;
}

}  // namespace tripline::agent
