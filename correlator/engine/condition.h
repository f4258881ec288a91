#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/prefilter.h"

namespace tripline::correlator::engine {

// A Sigma `condition` compiled to a small AST over search identifier indices:
// `and`, `or`, `not`, parentheses, `1 of <pattern>`, `all of <pattern>`, `1 of them`,
// `all of them` (identifiers starting with `_` are not part of `them`), `*` patterns on names.
// Precedence, lowest first: or, and, not, x of, ( ). Evaluation short-circuits.
// Immutable after Parse(); safe to evaluate from several threads at once.
class Condition {
 public:
  // `texts` are the conditions of one rule (a list is OR-ed); `identifiers` the rule's search
  // identifier names, whose positions are the indices Evaluate() asks about. Errors name the
  // problem (unknown identifier, unbalanced parenthesis, ...) without a position; the caller
  // prefixes the file:line of the `condition` key.
  static absl::StatusOr<Condition> Parse(const std::vector<std::string>& texts,
                                         const std::vector<std::string>& identifiers);

  // `matches(i)` says whether search identifier i matches the current event.
  template <typename Matches>
  bool Evaluate(Matches&& matches) const {
    return Eval(root_, matches);
  }

  // The literals one of which occurs in every event the condition accepts, from those of its
  // search identifiers (`required(i)`); std::nullopt when a `not` or an unknown side decides.
  Requirement Required(const std::function<Requirement(int)>& required) const {
    return Require(root_, required);
  }

  // The AST in prefix notation, for tests: or(a, and(b, not(c))).
  std::string DebugString(const std::vector<std::string>& identifiers) const;

 private:
  enum class Kind { kRef, kAnd, kOr, kNot, kOneOf, kAllOf };
  struct Node {
    Kind kind = Kind::kRef;
    int left = -1;          // kAnd, kOr, kNot
    int right = -1;         // kAnd, kOr
    std::vector<int> refs;  // kRef (one), kOneOf, kAllOf
  };
  friend class ConditionParser;

  template <typename Matches>
  bool Eval(int index, Matches& matches) const {
    const Node& n = nodes_[index];
    switch (n.kind) {
      case Kind::kRef: return matches(n.refs.front());
      case Kind::kAnd: return Eval(n.left, matches) && Eval(n.right, matches);
      case Kind::kOr: return Eval(n.left, matches) || Eval(n.right, matches);
      case Kind::kNot: return !Eval(n.left, matches);
      case Kind::kOneOf:
        for (int r : n.refs) {
          if (matches(r)) return true;
        }
        return false;
      case Kind::kAllOf:
        for (int r : n.refs) {
          if (!matches(r)) return false;
        }
        return true;
    }
    return false;
  }
  Requirement Require(int index, const std::function<Requirement(int)>& required) const;
  std::string Debug(int index, const std::vector<std::string>& identifiers) const;

  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace tripline::correlator::engine
