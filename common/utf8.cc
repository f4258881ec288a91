#include "common/utf8.h"

#include <cstdint>
#include <cstring>

namespace tripline {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed sequence starting at s[i]; 0 when ill-formed, with `bad` set to the
// length of its maximal ill-formed subpart (at least 1).
size_t SequenceAt(std::string_view s, size_t i, size_t& bad) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t need = 0;                     // continuation bytes after the lead byte
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo = 0xA0;  // no overlong 3-byte forms
  } else if (c == 0xED) {
    need = 2;
    hi = 0x9F;  // no surrogates
  } else if (c >= 0xE1 && c <= 0xEF) {
    need = 2;
  } else if (c == 0xF0) {
    need = 3;
    lo = 0x90;  // no overlong 4-byte forms
  } else if (c == 0xF4) {
    need = 3;
    hi = 0x8F;  // nothing past U+10FFFF
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else {
    bad = 1;  // 0x80..0xC1, 0xF5..0xFF never start a sequence
    return 0;
  }
  size_t j = 1;
  for (; j <= need && i + j < s.size(); ++j) {
    const auto b = static_cast<unsigned char>(s[i + j]);
    if (j == 1 ? (b < lo || b > hi) : !IsContinuation(b)) break;
  }
  if (j > need) return need + 1;
  bad = j;
  return 0;
}

// Index of the first byte that is not plain ASCII, 8 bytes at a time.
size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = AsciiPrefix(s);
  while (i < s.size()) {
    size_t bad = 0;
    size_t n = SequenceAt(s, i, bad);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t AppendRepairedUtf8(std::string_view in, std::string* out) {
  size_t replaced = 0;
  size_t i = 0;
  size_t run = 0;  // start of the current run of well-formed bytes
  while (i < in.size()) {
    size_t bad = 0;
    size_t n = SequenceAt(in, i, bad);
    if (n != 0) {
      i += n;
      continue;
    }
    out->append(in.substr(run, i - run));
    out->append(kReplacement);
    ++replaced;
    i += bad;
    run = i;
  }
  out->append(in.substr(run));
  return replaced;
}

std::string RepairedUtf8(std::string_view s) {
  std::string out;
  if (IsValidUtf8(s)) {
    out.assign(s);
  } else {
    AppendRepairedUtf8(s, &out);
  }
  return out;
}

std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  // s[cut] is the first byte left out: if it continues a sequence, that sequence starts at most
  // three bytes earlier and is left out whole.
  for (size_t back = 0; back < 4 && cut > 0 && IsContinuation(static_cast<unsigned char>(s[cut]));
       ++back) {
    --cut;
  }
  if (IsContinuation(static_cast<unsigned char>(s[cut]))) cut = max;  // not UTF-8: cut anywhere
  return s.substr(0, cut);
}

}  // namespace tripline
