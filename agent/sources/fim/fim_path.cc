#include "agent/sources/fim/fim_path.h"

#include <cstdint>

namespace tripline::agent {
namespace {

bool IsSep(char c) { return c == '\\' || c == '/'; }

// What WindowsGlobMatch compares: ASCII lower case, '\' as '/'.
char Fold(char c) {
  if (c == '\\') return '/';
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Matches `c` against the set starting at pattern[at] == '['. Sets *next to the index after the
// closing ']'; returns false with *next == at when the set is not closed (a literal '[').
bool MatchSet(std::string_view pattern, size_t at, char c, size_t* next) {
  size_t i = at + 1;
  bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
  if (negate) ++i;
  bool found = false;
  // Ranges compare bytes (fnmatch in the C locale), with folded ends: [A-Z] matches 'q', as
  // FNM_CASEFOLD does.
  auto folded = static_cast<unsigned char>(Fold(c));
  for (bool first = true; i < pattern.size(); first = false) {
    if (pattern[i] == ']' && !first) {
      *next = i + 1;
      return found != negate;
    }
    auto lo = static_cast<unsigned char>(Fold(pattern[i]));
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      auto hi = static_cast<unsigned char>(Fold(pattern[i + 2]));
      found = found || (lo <= folded && folded <= hi);
      i += 3;
    } else {
      found = found || lo == folded;
      ++i;
    }
  }
  *next = at;
  return false;
}

// One pattern element at pattern[*p] against text byte `c`; advances *p past it on a match.
bool MatchOne(std::string_view pattern, size_t* p, char c) {
  char pc = pattern[*p];
  if (pc == '?') {
    ++*p;
    return true;
  }
  if (pc == '[') {
    size_t next = *p;
    bool match = MatchSet(pattern, *p, c, &next);
    if (next != *p) {  // a closed set
      if (match) *p = next;
      return match;
    }
  }
  if (Fold(pc) != Fold(c)) return false;
  ++*p;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The code point of the (WTF-8) sequence at in[*i], advancing *i; U+FFFD and one byte when the
// sequence is ill-formed or overlong.
uint32_t DecodeUtf8(std::string_view in, size_t* i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
  unsigned char lead = b(*i);
  size_t len = lead < 0x80           ? 1
               : (lead >> 5) == 0x6  ? 2
               : (lead >> 4) == 0xE  ? 3
               : (lead >> 3) == 0x1E ? 4
                                     : 0;
  if (len == 0 || *i + len > in.size()) {
    ++*i;
    return 0xFFFD;
  }
  uint32_t cp = len == 1 ? lead : lead & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    if ((b(*i + k) & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b(*i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF) {
    ++*i;
    return 0xFFFD;
  }
  *i += len;
  return cp;
}

}  // namespace

std::string JoinPath(std::string_view dir, std::string_view name, char sep) {
  std::string out(dir);
  if (out.empty() || out.back() != sep) out += sep;  // '\' is a name byte on Linux
  out += name;
  return out;
}

bool IsWindowsAbsolutePath(std::string_view path) {
  if (path.size() >= 3 && path[1] == ':' && IsSep(path[2])) {
    char d = Fold(path[0]);
    return d >= 'a' && d <= 'z';
  }
  return path.size() >= 3 && IsSep(path[0]) && IsSep(path[1]) && !IsSep(path[2]);
}

bool IsAbsolutePath(std::string_view path) {
#ifdef _WIN32
  return IsWindowsAbsolutePath(path);
#else
  return !path.empty() && path.front() == '/';
#endif
}

std::string NormalizeWindowsRoot(std::string root) {
  std::string out;
  out.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    char c = root[i] == '/' ? '\\' : root[i];
    // "\\" only at the start (UNC); elsewhere a doubled separator is one.
    if (c == '\\' && !out.empty() && out.back() == '\\' && out.size() > 1) continue;
    out += c;
  }
  if (out.size() >= 2 && out[1] == ':' && out[0] >= 'a' && out[0] <= 'z') out[0] -= 'a' - 'A';
  bool drive_root = out.size() == 3 && out[1] == ':';
  while (out.size() > 1 && out.back() == '\\' && !drive_root && out != "\\\\") out.pop_back();
  return out;
}

std::string NormalizeRoot(std::string root) {
#ifdef _WIN32
  return NormalizeWindowsRoot(std::move(root));
#else
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
#endif
}

bool WindowsGlobMatch(std::string_view pattern, std::string_view text) {
  // Greedy with one backtrack point: every element but '*' matches exactly one byte, so retrying
  // from the last '*' with one more byte swallowed is complete.
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
    } else if (p < pattern.size() && MatchOne(pattern, &p, text[t])) {
      ++t;
    } else if (star_p != std::string_view::npos) {
      p = star_p;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string Utf16ToUtf8(std::u16string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    uint32_t cp = in[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < in.size() && in[i + 1] >= 0xDC00 &&
        in[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      ++i;
    }
    AppendUtf8(cp, &out);  // an unpaired surrogate stays a 3-byte sequence
  }
  return out;
}

std::u16string Utf8ToUtf16(std::string_view in) {
  std::u16string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    uint32_t cp = DecodeUtf8(in, &i);
    if (cp >= 0x10000) {
      out += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
      out += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

std::filesystem::path FsPath(const std::string& path) {
#ifdef _WIN32
  std::u16string wide = Utf8ToUtf16(path);
  return std::filesystem::path(std::wstring(wide.begin(), wide.end()));
#else
  return std::filesystem::path(path);
#endif
}

}  // namespace tripline::agent
