#include "correlator/engine/sigma_string.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Decodes one UTF-8 code point at `*i`; invalid bytes decode as themselves (Latin-1).
uint32_t NextCodePoint(const std::string& s, size_t* i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(*i);
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0 || *i + extra >= s.size()) {
    ++*i;
    return c;
  }
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) {
      ++*i;
      return c;
    }
    cp = (cp << 6) | (byte(*i + k) & 0x3F);
  }
  *i += extra + 1;
  return cp;
}

void AppendUnit(uint16_t unit, SigmaString::Utf16 form, SigmaString* out) {
  char lo = static_cast<char>(unit & 0xFF);
  char hi = static_cast<char>(unit >> 8);
  if (form == SigmaString::Utf16::kBigEndian) {
    out->Append(hi);
    out->Append(lo);
  } else {
    out->Append(lo);
    out->Append(hi);
  }
}

}  // namespace

SigmaString SigmaString::Parse(std::string_view text) {
  SigmaString out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == '*' || text[i + 1] == '?' || text[i + 1] == '\\')) {
      out.Append(text[++i]);
    } else if (c == '*') {
      out.Append('*', Kind::kStar);
    } else if (c == '?') {
      out.Append('?', Kind::kOne);
    } else {
      out.Append(c);
    }
  }
  return out;
}

SigmaString SigmaString::Literal(std::string_view bytes) {
  SigmaString out;
  out.chars_.assign(bytes);
  out.kinds_.assign(bytes.size(), Kind::kLiteral);
  return out;
}

bool SigmaString::HasWildcards() const {
  for (Kind k : kinds_) {
    if (k != Kind::kLiteral) return true;
  }
  return false;
}

void SigmaString::Append(char c, Kind kind) {
  chars_.push_back(c);
  kinds_.push_back(kind);
}

void SigmaString::PrependStar() {
  if (!kinds_.empty() && kinds_.front() == Kind::kStar) return;
  chars_.insert(chars_.begin(), '*');
  kinds_.insert(kinds_.begin(), Kind::kStar);
}

void SigmaString::AppendStar() {
  if (!kinds_.empty() && kinds_.back() == Kind::kStar) return;
  Append('*', Kind::kStar);
}

void SigmaString::LowerAscii() {
  for (size_t i = 0; i < chars_.size(); ++i) {
    if (kinds_[i] == Kind::kLiteral) chars_[i] = absl::ascii_tolower(chars_[i]);
  }
}

std::string SigmaString::ToString() const {
  std::string out;
  for (size_t i = 0; i < chars_.size(); ++i) {
    char c = chars_[i];
    if (kinds_[i] == Kind::kLiteral && (c == '*' || c == '?')) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<std::vector<SigmaString>> SigmaString::WinDash(const SigmaString& in,
                                                              size_t max_variants) {
  static constexpr std::string_view kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                                 "\xE2\x80\x95"};
  std::vector<SigmaString> out(1);
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in.chars_[i];
    bool literal = in.kinds_[i] == Kind::kLiteral;
    bool after_word = i > 0 && in.kinds_[i - 1] == Kind::kLiteral && IsWordChar(in.chars_[i - 1]);
    bool before_word = i + 1 < in.size() && in.kinds_[i + 1] == Kind::kLiteral &&
                       IsWordChar(in.chars_[i + 1]);
    if (!literal || (c != '-' && c != '/') || after_word || !before_word) {
      for (SigmaString& s : out) s.Append(c, in.kinds_[i]);
      continue;
    }
    if (out.size() * std::size(kDashes) > max_variants) {
      return absl::InvalidArgumentError(
          Cat("windash expands '", in.ToString(), "' to more than ", max_variants,
                       " variants"));
    }
    std::vector<SigmaString> next;
    next.reserve(out.size() * std::size(kDashes));
    for (const SigmaString& s : out) {
      for (std::string_view dash : kDashes) {
        SigmaString v = s;
        for (char d : dash) v.Append(d);
        next.push_back(std::move(v));
      }
    }
    out = std::move(next);
  }
  return out;
}

absl::StatusOr<SigmaString> SigmaString::ToUtf16(const SigmaString& in, Utf16 form) {
  SigmaString out;
  if (form == Utf16::kWithBom) {
    out.Append('\xFF');
    out.Append('\xFE');
  }
  size_t i = 0;
  while (i < in.size()) {
    if (in.kinds_[i] != Kind::kLiteral) {
      out.Append(in.chars_[i], in.kinds_[i]);
      ++i;
      continue;
    }
    // Decode a run of literal bytes as UTF-8, one code point at a time.
    size_t end = i;
    while (end < in.size() && in.kinds_[end] == Kind::kLiteral) ++end;
    std::string run = in.chars_.substr(i, end - i);
    size_t k = 0;
    while (k < run.size()) {
      uint32_t cp = NextCodePoint(run, &k);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        AppendUnit(static_cast<uint16_t>(0xD800 + (cp >> 10)), form, &out);
        AppendUnit(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)), form, &out);
      } else {
        AppendUnit(static_cast<uint16_t>(cp), form, &out);
      }
    }
    i = end;
  }
  return out;
}

absl::StatusOr<SigmaString> SigmaString::Base64(const SigmaString& in) {
  if (in.HasWildcards()) {
    return absl::InvalidArgumentError(
        Cat("base64 cannot encode the wildcards of '", in.ToString(), "'"));
  }
  return Literal(absl::Base64Escape(in.chars_));
}

absl::StatusOr<std::vector<SigmaString>> SigmaString::Base64Offset(const SigmaString& in) {
  if (in.HasWildcards()) {
    return absl::InvalidArgumentError(
        Cat("base64offset cannot encode the wildcards of '", in.ToString(), "'"));
  }
  static constexpr size_t kStart[] = {0, 2, 3};
  static constexpr size_t kCutEnd[] = {0, 3, 2};  // characters dropped at the end
  std::vector<SigmaString> out;
  for (size_t shift = 0; shift < 3; ++shift) {
    std::string encoded = absl::Base64Escape(std::string(shift, ' ') + in.chars_);
    size_t cut = kCutEnd[(in.chars_.size() + shift) % 3];
    size_t end = encoded.size() >= cut ? encoded.size() - cut : 0;
    size_t start = std::min(kStart[shift], end);
    out.push_back(Literal(std::string_view(encoded).substr(start, end - start)));
  }
  return out;
}

}  // namespace tripline::correlator::engine
