#pragma once

#include <string>
#include <string_view>

#include "correlator/engine/sigma_string.h"

namespace tripline::correlator::engine {

// One Sigma string value compiled into the cheapest test that decides it: equality, prefix,
// suffix or substring on pre-lowered bytes, and a glob walk only when wildcards sit inside the
// value. Immutable after Compile(); safe to share between threads.
class StringPattern {
 public:
  enum class Op { kAny, kExact, kPrefix, kSuffix, kContains, kGlob };

  // `value` already carries the wildcards added by contains/startswith/endswith. Unless `cased`,
  // its literals are lower-cased here and Matches() expects a lower-cased haystack.
  static StringPattern Compile(SigmaString value, bool cased);

  // `haystack` is the field value, lower-cased by the caller when !cased().
  bool Matches(std::string_view haystack) const;

  // A literal (lower-cased) that every matching value contains, ASCII case folded: the whole
  // text, or the longest literal run of a glob; empty when there is none (`*`, `?*`).
  std::string RequiredLiteral() const;

  Op op() const { return op_; }
  bool cased() const { return cased_; }
  const std::string& text() const { return text_; }

 private:
  static bool GlobMatch(const SigmaString& pattern, std::string_view s);

  Op op_ = Op::kExact;
  bool cased_ = false;
  std::string text_;   // literal part for every op but kGlob
  SigmaString glob_;   // for kGlob
};

}  // namespace tripline::correlator::engine
