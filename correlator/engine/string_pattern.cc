#include "correlator/engine/string_pattern.h"

#include "absl/strings/ascii.h"

namespace tripline::correlator::engine {
namespace {

using Kind = SigmaString::Kind;

// Length of the UTF-8 sequence starting with `c` (1 for ASCII and stray bytes), so that `?`
// matches one character, not one byte.
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

StringPattern StringPattern::Compile(SigmaString value, bool cased) {
  StringPattern p;
  p.cased_ = cased;
  if (!cased) value.LowerAscii();
  size_t n = value.size();
  size_t stars = 0, ones = 0, inner_wild = 0;
  for (size_t i = 0; i < n; ++i) {
    Kind k = value.KindAt(i);
    if (k == Kind::kStar) ++stars;
    if (k == Kind::kOne) ++ones;
    if (k != Kind::kLiteral && i != 0 && i + 1 != n) ++inner_wild;
  }
  bool lead = n > 0 && value.KindAt(0) == Kind::kStar;
  bool trail = n > 0 && value.KindAt(n - 1) == Kind::kStar;
  if (ones == 0 && inner_wild == 0) {
    size_t from = lead ? 1 : 0;
    size_t to = (trail && n > from) ? n - 1 : n;
    for (size_t i = from; i < to; ++i) p.text_.push_back(value.Char(i));
    if (stars == 0) {
      p.op_ = Op::kExact;
    } else if (lead && trail) {
      p.op_ = p.text_.empty() ? Op::kAny : Op::kContains;
    } else {
      p.op_ = lead ? Op::kSuffix : Op::kPrefix;
    }
    return p;
  }
  p.op_ = Op::kGlob;
  p.glob_ = std::move(value);
  return p;
}

bool StringPattern::Matches(std::string_view s) const {
  switch (op_) {
    case Op::kAny:
      return true;
    case Op::kExact:
      return s == text_;
    case Op::kPrefix:
      return s.size() >= text_.size() && s.compare(0, text_.size(), text_) == 0;
    case Op::kSuffix:
      return s.size() >= text_.size() &&
             s.compare(s.size() - text_.size(), text_.size(), text_) == 0;
    case Op::kContains:
      return s.find(text_) != std::string_view::npos;
    case Op::kGlob:
      return GlobMatch(glob_, s);
  }
  return false;
}

std::string StringPattern::RequiredLiteral() const {
  std::string best;
  if (op_ != Op::kGlob) {
    best = text_;
  } else {
    std::string run;
    for (size_t i = 0; i <= glob_.size(); ++i) {
      if (i < glob_.size() && glob_.KindAt(i) == Kind::kLiteral) {
        run.push_back(glob_.Char(i));
        continue;
      }
      if (run.size() > best.size()) best = run;
      run.clear();
    }
  }
  for (char& c : best) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return best;
}

// Iterative glob match with single-star backtracking: linear in practice, never exponential.
bool StringPattern::GlobMatch(const SigmaString& p, std::string_view s) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p.KindAt(pi) == Kind::kStar) {
      star_p = pi++;
      star_s = si;
    } else if (pi < p.size() && p.KindAt(pi) == Kind::kOne &&
               si + Utf8Length(static_cast<unsigned char>(s[si])) <= s.size()) {
      ++pi;
      si += Utf8Length(static_cast<unsigned char>(s[si]));
    } else if (pi < p.size() && p.KindAt(pi) == Kind::kLiteral && p.Char(pi) == s[si]) {
      ++pi;
      ++si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p.KindAt(pi) == Kind::kStar) ++pi;
  return pi == p.size();
}

}  // namespace tripline::correlator::engine
