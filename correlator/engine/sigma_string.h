#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tripline::correlator::engine {

// A Sigma string value after escape processing: literal bytes interleaved with the wildcards `*`
// (any run of characters) and `?` (one character). `\*`, `\?` and `\\` are escapes; a backslash
// before anything else is a literal backslash (so `C:\Windows\` needs no doubling), as in pySigma.
// A value type used only while a rule compiles; not shared between threads.
class SigmaString {
 public:
  enum class Kind : uint8_t { kLiteral, kStar, kOne };

  SigmaString() = default;
  // Parses a value as written in a rule.
  static SigmaString Parse(std::string_view text);
  // A value taken literally (no wildcards): encoded bytes, field values.
  static SigmaString Literal(std::string_view bytes);

  bool HasWildcards() const;
  bool empty() const { return chars_.empty(); }
  size_t size() const { return chars_.size(); }
  char Char(size_t i) const { return chars_[i]; }
  Kind KindAt(size_t i) const { return kinds_[i]; }

  void Append(char c, Kind kind = Kind::kLiteral);
  void PrependStar();
  void AppendStar();
  // Lower-cases ASCII letters of the literal parts.
  void LowerAscii();
  // The literal bytes (wildcards dropped); meaningful when !HasWildcards().
  const std::string& bytes() const { return chars_; }
  // Back to rule syntax, for messages.
  std::string ToString() const;

  // Encoding modifiers (Sigma appendix, "Encoding" and "String" groups).
  // windash: every `-` or `/` that starts a flag (not after a word character, before one) becomes
  // each of - / en dash, em dash, horizontal bar. Fails past `max_variants` combinations.
  static absl::StatusOr<std::vector<SigmaString>> WinDash(const SigmaString& in,
                                                        size_t max_variants);
  enum class Utf16 { kLittleEndian, kBigEndian, kWithBom };
  // Re-encodes the literal parts from UTF-8 to UTF-16; wildcards stay wildcards.
  static absl::StatusOr<SigmaString> ToUtf16(const SigmaString& in, Utf16 form);
  // base64 of the bytes; values with wildcards cannot be encoded.
  static absl::StatusOr<SigmaString> Base64(const SigmaString& in);
  // The three base64 encodings of the bytes at offsets 0, 1 and 2 of a longer stream, with the
  // characters that depend on neighbouring bytes cut off (pySigma's base64offset).
  static absl::StatusOr<std::vector<SigmaString>> Base64Offset(const SigmaString& in);

 private:
  std::string chars_;        // one entry per position; '*' / '?' placeholders for wildcards
  std::vector<Kind> kinds_;  // same length as chars_
};

}  // namespace tripline::correlator::engine
