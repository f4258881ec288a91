#include "common/platform/glob_match.h"

namespace tripline::platform {
namespace {

char Fold(char c, bool windows) {
  if (!windows) return c;
  if (c == '\\') return '/';
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Matches the bracket expression starting at pattern[p] == '[' against `c`. Sets `end` to the
// index after the closing ']'; false with end = p when the bracket is not closed (then '[' is a
// literal, as in fnmatch).
bool MatchBracket(std::string_view pattern, size_t p, char c, bool windows, size_t* end,
                  bool* matched) {
  size_t i = p + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool hit = false;
  bool first = true;
  // Ranges compare bytes as unsigned (fnmatch in the C locale), with folded ends.
  const auto byte = static_cast<unsigned char>(c);
  for (; i < pattern.size() && (first || pattern[i] != ']'); first = false) {
    auto lo = static_cast<unsigned char>(Fold(pattern[i], windows));
    auto hi = lo;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      hi = static_cast<unsigned char>(Fold(pattern[i + 2], windows));
      i += 3;
    } else {
      ++i;
    }
    hit |= lo <= byte && byte <= hi;
  }
  if (i >= pattern.size()) {
    *end = p;
    return false;
  }
  *end = i + 1;
  *matched = hit != negate;
  return true;
}

}  // namespace

bool MatchGlob(std::string_view pattern, std::string_view text, bool windows) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    const char c = Fold(text[t], windows);
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p, ++t;
        continue;
      }
      if (pc == '[') {
        size_t end = 0;
        bool matched = false;
        if (MatchBracket(pattern, p, c, windows, &end, &matched)) {
          if (matched) {
            p = end, ++t;
            continue;
          }
        } else if (c == '[') {
          ++p, ++t;
          continue;
        }
      } else {
        size_t lit = p;
        if (pc == '\\' && !windows && p + 1 < pattern.size()) lit = p + 1;
        if (Fold(pattern[lit], windows) == c) {
          p = lit + 1, ++t;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;  // let the last '*' take one more character
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsWindowsAbsolutePath(std::string_view path) {
  auto is_sep = [](char c) { return c == '\\' || c == '/'; };
  if (path.size() >= 3 && path[1] == ':' && is_sep(path[2])) {
    char d = Fold(path[0], true);
    return d >= 'a' && d <= 'z';
  }
  return path.size() >= 3 && is_sep(path[0]) && is_sep(path[1]) && !is_sep(path[2]);
}

bool HasGlobMeta(std::string_view component) {
  return component.find_first_of("*?[") != std::string_view::npos;
}

}  // namespace tripline::platform
