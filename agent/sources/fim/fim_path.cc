#include "agent/sources/fim/fim_path.h"

#include <cstdint>


namespace tripline::agent {
namespace {

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
