#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/cidr_block.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/prefilter.h"
#include "correlator/engine/string_pattern.h"
#include "re2/re2.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// Strings reused across evaluations so that matching allocates nothing once warm.
// One per evaluating thread (the Engine owns one); never shared.
struct MatchScratch {
  std::string value;        // the field's rendered value (numbers, composed fields)
  std::string lowered;      // the field's value, ASCII lower-cased
  std::string ref_value;    // fieldref: the other field's rendered value
  std::string ref_lowered;  // fieldref: the other field, lower-cased
  PrefilterScratch prefilter;
  // The ids and names of the first-seen rules that reported the current event as new (the
  // engine fills it before the sequences run; sequence steps with `first_seen:` read it).
  std::vector<std::string_view> first_seen_fired;
};

// The modifiers of one `field|a|b` key, sorted by what they do (defined in matcher.cc).
struct ModifierSet;

enum class NumericCompare { kLt, kLte, kGt, kGte };

// The compiled test for the values under one `field|modifiers` key: Sigma semantics
// (case-insensitive unless `cased`, wildcards, list = OR unless `all`, `null` = absent or empty).
// Compiled once with the rule; immutable afterwards and safe to share between threads
// (the Engine's per-thread MatchScratch carries all mutable state).
class ValueMatcher {
 public:
  // Turns a Sigma field name of a `fieldref` value into an accessor (the rule's field map).
  using RefResolver = std::function<absl::StatusOr<FieldAccessor>(std::string_view)>;

  // `values`: YAML scalars as written (std::nullopt = YAML null). Every unsupported or
  // contradictory modifier is an InvalidArgument error with the reason.
  static absl::StatusOr<ValueMatcher> Compile(const std::vector<std::string>& modifiers,
                                              const std::vector<std::optional<std::string>>& values,
                                              const RefResolver& resolve_ref);

  // `value` is the field's value in `event` (std::nullopt = absent).
  bool Matches(const v1::Event& event, FieldValue value, MatchScratch* scratch) const;

  // Literals of which every matching value contains at least one (lower-cased, for the
  // prefilter); std::nullopt when a match needs none (regex, neq, null, numbers, `*`).
  std::optional<std::vector<std::string>> RequiredLiterals() const;

  ValueMatcher(ValueMatcher&&) = default;
  ValueMatcher& operator=(ValueMatcher&&) = default;
  ~ValueMatcher();

 private:
  enum class Mode { kString, kRegex, kCidr, kNumeric, kExists, kFieldRef };

  ValueMatcher() = default;
  absl::Status CompileStrings(const ModifierSet& opt,
                              const std::vector<std::optional<std::string>>& values);
  absl::Status CompileRegexes(const ModifierSet& opt, const std::vector<std::string>& values);
  absl::Status CompileCidrs(const std::vector<std::string>& values);
  absl::Status CompileNumbers(const ModifierSet& opt, const std::vector<std::string>& values);
  absl::Status CompileFieldRefs(const ModifierSet& opt, const std::vector<std::string>& values,
                                const RefResolver& resolve_ref);

  bool MatchPresent(const v1::Event& event, std::string_view value, MatchScratch* scratch) const;
  bool MatchStrings(std::string_view value, MatchScratch* scratch) const;
  bool MatchRegexes(std::string_view value) const;
  bool MatchCidrs(std::string_view value) const;
  bool MatchNumbers(std::string_view value) const;
  bool MatchFieldRefs(const v1::Event& event, std::string_view value,
                      MatchScratch* scratch) const;
  // OR over `count` tests, or AND with `all`.
  template <typename Test>
  bool Combine(size_t count, Test test) const;

  Mode mode_ = Mode::kString;
  bool all_ = false;       // `all`: every value must match
  bool neq_ = false;       // `neq`: the field is present and matches none of the values
  bool null_ok_ = false;   // a `null` value: absent or empty matches
  bool exists_ = false;    // `exists: true|false`
  bool needs_lower_ = false;
  NumericCompare compare_ = NumericCompare::kGt;
  StringPattern::Op ref_op_ = StringPattern::Op::kExact;
  bool ref_cased_ = false;
  std::vector<StringPattern> patterns_;
  std::vector<size_t> group_ends_;  // patterns_ of value i end at group_ends_[i]
  std::vector<std::unique_ptr<re2::RE2>> regexes_;
  std::vector<CidrBlock> cidrs_;
  std::vector<double> numbers_;
  std::vector<FieldAccessor> refs_;
};

}  // namespace tripline::correlator::engine
