#include "correlator/engine/matcher.h"

#include <charconv>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "correlator/engine/absl_compat.h"
#include "re2/re2.h"

namespace tripline::correlator::engine {

// Parsing the modifiers is separate from building the tests so that every contradiction is
// reported before any value is looked at.
struct ModifierSet {
  std::vector<std::string> transforms;  // windash, base64, ..., in the order written
  StringPattern::Op type = StringPattern::Op::kExact;
  std::string type_name;  // contains / startswith / endswith, for messages
  std::string special;    // re, cidr, exists, fieldref, gt, ...: at most one
  bool all = false, cased = false, neq = false;
  bool re_i = false, re_m = false, re_s = false;
  NumericCompare compare = NumericCompare::kGt;
};

namespace {

using Values = std::vector<std::optional<std::string>>;
constexpr size_t kMaxWinDashVariants = 4096;

const std::set<std::string, std::less<>> kTransforms = {
    "windash", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16"};
const std::set<std::string, std::less<>> kSpecials = {"re",  "cidr", "exists", "fieldref",
                                                      "gt",  "gte",  "lt",     "lte"};
const std::set<std::string, std::less<>> kTimeParts = {"minute", "hour",  "day",
                                                       "week",   "month", "year"};

template <typename... Parts>
absl::Status Invalid(const Parts&... parts) {
  return absl::InvalidArgumentError(Cat(parts...));
}

absl::Status ApplyType(std::string_view m, StringPattern::Op op, ModifierSet* set) {
  if (!set->type_name.empty() && set->type_name != m) {
    return Invalid("modifiers '", set->type_name, "' and '", m, "' cannot be combined");
  }
  set->type = op;
  set->type_name = std::string(m);
  return absl::OkStatus();
}

absl::Status ApplySpecial(std::string_view m, ModifierSet* set) {
  if (!set->special.empty() && set->special != m) {
    return Invalid("modifiers '", set->special, "' and '", m, "' cannot be combined");
  }
  set->special = std::string(m);
  if (m == "gt") set->compare = NumericCompare::kGt;
  if (m == "gte") set->compare = NumericCompare::kGte;
  if (m == "lt") set->compare = NumericCompare::kLt;
  if (m == "lte") set->compare = NumericCompare::kLte;
  return absl::OkStatus();
}

absl::Status ApplyModifier(std::string_view m, ModifierSet* set) {
  using Op = StringPattern::Op;
  if (m == "contains") return ApplyType(m, Op::kContains, set);
  if (m == "startswith") return ApplyType(m, Op::kPrefix, set);
  if (m == "endswith") return ApplyType(m, Op::kSuffix, set);
  if (kSpecials.count(m) > 0) return ApplySpecial(m, set);
  if (kTransforms.count(m) > 0) {
    set->transforms.emplace_back(m);
  } else if (m == "all") {
    set->all = true;
  } else if (m == "cased") {
    set->cased = true;
  } else if (m == "neq") {
    set->neq = true;
  } else if (m == "i" || m == "m" || m == "s") {
    if (set->special != "re") return Invalid("modifier '", m, "' is only valid after 're'");
    (m == "i" ? set->re_i : m == "m" ? set->re_m : set->re_s) = true;
  } else if (m == "expand") {
    return Invalid("modifier 'expand' is not supported: placeholders (%name%) need "
                   "site-specific values, so the rule is rejected as the Sigma spec requires");
  } else if (kTimeParts.count(m) > 0) {
    return Invalid("time modifier '", m, "' is not supported yet");
  } else {
    return Invalid("unknown modifier '", m, "'");
  }
  return absl::OkStatus();
}

// Cross-checks after all modifiers are read.
absl::Status CheckCombination(const ModifierSet& set) {
  const std::string& sp = set.special;
  if (sp.empty()) return absl::OkStatus();
  if (!set.transforms.empty()) {
    return Invalid("modifier '", set.transforms.front(), "' cannot be combined with '", sp, "'");
  }
  if (!set.type_name.empty() && sp != "fieldref") {
    return Invalid("modifier '", set.type_name, "' cannot be combined with '", sp, "'");
  }
  if (set.cased && sp != "fieldref") {
    return Invalid("modifier 'cased' cannot be combined with '", sp, "'");
  }
  if (set.neq && (sp == "exists" || sp == "re")) {
    return Invalid("modifier 'neq' cannot be combined with '", sp, "'");
  }
  return absl::OkStatus();
}

absl::StatusOr<ModifierSet> ParseModifiers(const std::vector<std::string>& modifiers) {
  ModifierSet set;
  for (const std::string& m : modifiers) {
    TRIPLINE_RETURN_IF_ERROR(ApplyModifier(m, &set));
  }
  TRIPLINE_RETURN_IF_ERROR(CheckCombination(set));
  return set;
}

// The non-null values; a null is only meaningful for plain string matching.
absl::StatusOr<std::vector<std::string>> NonNull(const Values& values, std::string_view what) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (!v) return Invalid("a null value cannot be used with '", what, "'");
    out.push_back(*v);
  }
  return out;
}

// Applies the encoding modifiers in the order written; each may multiply the values.
absl::StatusOr<std::vector<SigmaString>> Transform(const ModifierSet& set, SigmaString value) {
  std::vector<SigmaString> cur{std::move(value)};
  for (const std::string& t : set.transforms) {
    std::vector<SigmaString> next;
    for (const SigmaString& v : cur) {
      if (t == "windash") {
        TRIPLINE_ASSIGN_OR_RETURN(auto variants, SigmaString::WinDash(v, kMaxWinDashVariants));
        for (auto& x : variants) next.push_back(std::move(x));
      } else if (t == "base64offset") {
        TRIPLINE_ASSIGN_OR_RETURN(auto variants, SigmaString::Base64Offset(v));
        for (auto& x : variants) next.push_back(std::move(x));
      } else if (t == "base64") {
        TRIPLINE_ASSIGN_OR_RETURN(auto encoded, SigmaString::Base64(v));
        next.push_back(std::move(encoded));
      } else {
        auto form = t == "utf16be"  ? SigmaString::Utf16::kBigEndian
                    : t == "utf16" ? SigmaString::Utf16::kWithBom
                                    : SigmaString::Utf16::kLittleEndian;
        TRIPLINE_ASSIGN_OR_RETURN(auto encoded, SigmaString::ToUtf16(v, form));
        next.push_back(std::move(encoded));
      }
    }
    cur = std::move(next);
  }
  return cur;
}

bool IsBase64Transform(const std::string& t) { return t == "base64" || t == "base64offset"; }

void LowerInto(std::string_view in, std::string* out) {
  out->assign(in);
  absl::AsciiStrToLower(out);
}

}  // namespace

ValueMatcher::~ValueMatcher() = default;

absl::StatusOr<ValueMatcher> ValueMatcher::Compile(const std::vector<std::string>& modifiers,
                                                   const Values& values,
                                                   const RefResolver& resolve_ref) {
  TRIPLINE_ASSIGN_OR_RETURN(ModifierSet set, ParseModifiers(modifiers));
  if (values.empty()) return Invalid("empty value list");
  ValueMatcher m;
  m.all_ = set.all;
  m.neq_ = set.neq;
  const std::string& sp = set.special;
  if (sp.empty()) {
    TRIPLINE_RETURN_IF_ERROR(m.CompileStrings(set, values));
    return m;
  }
  TRIPLINE_ASSIGN_OR_RETURN(std::vector<std::string> plain, NonNull(values, sp));
  if (sp == "re") {
    TRIPLINE_RETURN_IF_ERROR(m.CompileRegexes(set, plain));
  } else if (sp == "cidr") {
    TRIPLINE_RETURN_IF_ERROR(m.CompileCidrs(plain));
  } else if (sp == "fieldref") {
    TRIPLINE_RETURN_IF_ERROR(m.CompileFieldRefs(set, plain, resolve_ref));
  } else if (sp == "exists") {
    std::string v = absl::AsciiStrToLower(plain.front());
    if (plain.size() != 1 || (v != "true" && v != "false" && v != "yes" && v != "no")) {
      return Invalid("'exists' takes a single true or false");
    }
    m.mode_ = Mode::kExists;
    m.exists_ = v == "true" || v == "yes";
  } else {
    TRIPLINE_RETURN_IF_ERROR(m.CompileNumbers(set, plain));
  }
  return m;
}

absl::Status ValueMatcher::CompileStrings(const ModifierSet& set, const Values& values) {
  mode_ = Mode::kString;
  // Encoded bytes (base64) are compared exactly: lower-casing them would change what they say.
  bool encoded = false;
  for (const std::string& t : set.transforms) encoded = encoded || IsBase64Transform(t);
  bool cased = set.cased || encoded;
  for (const auto& v : values) {
    if (!v) {
      if (all_ || neq_) return Invalid("a null value cannot be combined with 'all' or 'neq'");
      null_ok_ = true;
      continue;
    }
    TRIPLINE_ASSIGN_OR_RETURN(auto variants, Transform(set, SigmaString::Parse(*v)));
    for (SigmaString& s : variants) {
      if (set.type == StringPattern::Op::kContains || set.type == StringPattern::Op::kSuffix) {
        s.PrependStar();
      }
      if (set.type == StringPattern::Op::kContains || set.type == StringPattern::Op::kPrefix) {
        s.AppendStar();
      }
      patterns_.push_back(StringPattern::Compile(std::move(s), cased));
    }
    group_ends_.push_back(patterns_.size());  // a value matches when any of its variants does
  }
  needs_lower_ = !cased;
  return absl::OkStatus();
}

absl::Status ValueMatcher::CompileRegexes(const ModifierSet& set,
                                          const std::vector<std::string>& values) {
  mode_ = Mode::kRegex;
  std::string flags;
  if (set.re_i) flags += 'i';
  if (set.re_m) flags += 'm';
  if (set.re_s) flags += 's';
  RE2::Options options;
  options.set_log_errors(false);
  for (const std::string& v : values) {
    std::string pattern = flags.empty() ? v : Cat("(?", flags, ")", v);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) return Invalid("invalid regular expression '", v, "': ", re->error());
    regexes_.push_back(std::move(re));
  }
  return absl::OkStatus();
}

absl::Status ValueMatcher::CompileCidrs(const std::vector<std::string>& values) {
  mode_ = Mode::kCidr;
  for (const std::string& v : values) {
    TRIPLINE_ASSIGN_OR_RETURN(CidrBlock block, ParseCidr(v));
    cidrs_.push_back(block);
  }
  return absl::OkStatus();
}

absl::Status ValueMatcher::CompileNumbers(const ModifierSet& set,
                                          const std::vector<std::string>& values) {
  mode_ = Mode::kNumeric;
  compare_ = set.compare;
  for (const std::string& v : values) {
    double d = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || ptr != v.data() + v.size()) {
      return Invalid("'", set.special, "' needs a number, not '", v, "'");
    }
    numbers_.push_back(d);
  }
  return absl::OkStatus();
}

absl::Status ValueMatcher::CompileFieldRefs(const ModifierSet& set,
                                            const std::vector<std::string>& values,
                                            const RefResolver& resolve_ref) {
  mode_ = Mode::kFieldRef;
  ref_op_ = set.type;
  ref_cased_ = set.cased;
  for (const std::string& v : values) {
    auto accessor = resolve_ref(v);
    if (!accessor.ok()) return Invalid("fieldref: ", accessor.status().message());
    refs_.push_back(*std::move(accessor));
  }
  return absl::OkStatus();
}

std::optional<std::vector<std::string>> ValueMatcher::RequiredLiterals() const {
  if (mode_ != Mode::kString || neq_ || null_ok_ || group_ends_.empty()) return std::nullopt;
  std::optional<std::vector<std::string>> out;
  size_t best_shortest = 0;
  for (size_t g = 0; g < group_ends_.size(); ++g) {
    std::vector<std::string> group;  // a value matches when one of its variants does
    size_t shortest = SIZE_MAX;
    for (size_t i = g == 0 ? 0 : group_ends_[g - 1]; i < group_ends_[g]; ++i) {
      std::string literal = patterns_[i].RequiredLiteral();
      if (literal.empty()) {
        shortest = 0;
        break;
      }
      shortest = std::min(shortest, literal.size());
      group.push_back(std::move(literal));
    }
    if (all_) {  // every value must match: the most selective one is enough
      if (shortest > best_shortest) {
        best_shortest = shortest;
        out = std::move(group);
      }
      continue;
    }
    if (shortest == 0) return std::nullopt;  // any value may be the one that matched
    if (!out) out.emplace();
    out->insert(out->end(), std::make_move_iterator(group.begin()),
                std::make_move_iterator(group.end()));
  }
  return out;
}

bool ValueMatcher::Matches(const v1::Event& event, FieldValue value, MatchScratch* s) const {
  if (mode_ == Mode::kExists) return value.has_value() == exists_;
  if (!value) return null_ok_;
  if (null_ok_ && value->empty()) return true;
  bool hit = MatchPresent(event, *value, s);
  return neq_ ? !hit : hit;
}

bool ValueMatcher::MatchPresent(const v1::Event& event, std::string_view value,
                                MatchScratch* s) const {
  switch (mode_) {
    case Mode::kString: return MatchStrings(value, s);
    case Mode::kRegex: return MatchRegexes(value);
    case Mode::kCidr: return MatchCidrs(value);
    case Mode::kNumeric: return MatchNumbers(value);
    case Mode::kFieldRef: return MatchFieldRefs(event, value, s);
    case Mode::kExists: return true;
  }
  return false;
}

template <typename Test>
bool ValueMatcher::Combine(size_t count, Test test) const {
  if (count == 0) return false;
  for (size_t i = 0; i < count; ++i) {
    if (test(i) != all_) return !all_;
  }
  return all_;
}

bool ValueMatcher::MatchStrings(std::string_view value, MatchScratch* s) const {
  std::string_view hay = value;
  if (needs_lower_) {
    LowerInto(value, &s->lowered);
    hay = s->lowered;
  }
  return Combine(group_ends_.size(), [&](size_t g) {
    for (size_t i = g == 0 ? 0 : group_ends_[g - 1]; i < group_ends_[g]; ++i) {
      if (patterns_[i].Matches(hay)) return true;
    }
    return false;
  });
}

bool ValueMatcher::MatchRegexes(std::string_view value) const {
  return Combine(regexes_.size(), [&](size_t i) { return RE2::PartialMatch(value, *regexes_[i]); });
}

bool ValueMatcher::MatchCidrs(std::string_view value) const {
  return Combine(cidrs_.size(), [&](size_t i) { return CidrContains(cidrs_[i], value); });
}

bool ValueMatcher::MatchNumbers(std::string_view value) const {
  double d = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
  if (ec != std::errc() || ptr != value.data() + value.size()) return false;
  return Combine(numbers_.size(), [&](size_t i) {
    switch (compare_) {
      case NumericCompare::kLt: return d < numbers_[i];
      case NumericCompare::kLte: return d <= numbers_[i];
      case NumericCompare::kGt: return d > numbers_[i];
      case NumericCompare::kGte: return d >= numbers_[i];
    }
    return false;
  });
}

bool ValueMatcher::MatchFieldRefs(const v1::Event& event, std::string_view value,
                                  MatchScratch* s) const {
  std::string_view hay = value;
  if (!ref_cased_) {
    LowerInto(value, &s->lowered);
    hay = s->lowered;
  }
  return Combine(refs_.size(), [&](size_t i) {
    FieldValue other = refs_[i].Get(event, &s->ref_value);
    // An empty value is no value: two fields a record leaves empty are not "equal".
    if (!other || other->empty() || value.empty()) return false;
    std::string_view needle = *other;
    if (!ref_cased_) {
      LowerInto(needle, &s->ref_lowered);
      needle = s->ref_lowered;
    }
    switch (ref_op_) {
      case StringPattern::Op::kContains: return hay.find(needle) != std::string_view::npos;
      case StringPattern::Op::kPrefix: return hay.starts_with(needle);
      case StringPattern::Op::kSuffix: return hay.ends_with(needle);
      default: return hay == needle;
    }
  });
}

}  // namespace tripline::correlator::engine
