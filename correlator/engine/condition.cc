#include "correlator/engine/condition.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status.h"
#include "correlator/engine/absl_compat.h"
#include "correlator/engine/sigma_string.h"
#include "correlator/engine/string_pattern.h"

namespace tripline::correlator::engine {

// Recursive descent over the tokens of one condition. Lives only while one rule compiles.
class ConditionParser {
 public:
  ConditionParser(const std::vector<std::string>& identifiers, Condition* out)
      : identifiers_(identifiers), out_(out) {}

  absl::StatusOr<int> ParseText(std::string_view text) {
    TRIPLINE_RETURN_IF_ERROR(Tokenize(text));
    if (tokens_.empty()) return absl::InvalidArgumentError("condition is empty");
    TRIPLINE_ASSIGN_OR_RETURN(int root, ParseOr());
    if (pos_ < tokens_.size()) {
      if (tokens_[pos_] == ")") return Error("unbalanced parenthesis: unexpected ')'");
      return Error(Cat("unexpected '", tokens_[pos_], "' after a complete expression"));
    }
    return root;
  }

  int Add(Condition::Node node) {
    out_->nodes_.push_back(std::move(node));
    return static_cast<int>(out_->nodes_.size() - 1);
  }

 private:
  static absl::Status Error(std::string_view message) {
    return absl::InvalidArgumentError(AbslView(message));
  }

  absl::Status Tokenize(std::string_view text) {
    std::string cur;
    auto flush = [&] {
      if (!cur.empty()) tokens_.push_back(std::move(cur));
      cur.clear();
    };
    for (char c : text) {
      if (c == '|') {
        return Error("aggregation expressions ('| count() ...') are not supported: "
                     "write a Sigma correlation rule instead");
      }
      if (c == '(' || c == ')') {
        flush();
        tokens_.emplace_back(1, c);
      } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
        flush();
      } else {
        cur.push_back(c);
      }
    }
    flush();
    return absl::OkStatus();
  }

  bool Peek(std::string_view keyword) const {
    return pos_ < tokens_.size() && absl::AsciiStrToLower(tokens_[pos_]) == keyword;
  }

  absl::StatusOr<int> ParseOr() {
    TRIPLINE_ASSIGN_OR_RETURN(int left, ParseAnd());
    while (Peek("or")) {
      ++pos_;
      TRIPLINE_ASSIGN_OR_RETURN(int right, ParseAnd());
      left = Add({Condition::Kind::kOr, left, right, {}});
    }
    return left;
  }

  absl::StatusOr<int> ParseAnd() {
    TRIPLINE_ASSIGN_OR_RETURN(int left, ParseNot());
    while (Peek("and")) {
      ++pos_;
      TRIPLINE_ASSIGN_OR_RETURN(int right, ParseNot());
      left = Add({Condition::Kind::kAnd, left, right, {}});
    }
    return left;
  }

  absl::StatusOr<int> ParseNot() {
    if (!Peek("not")) return ParsePrimary();
    ++pos_;
    TRIPLINE_RETURN_IF_ERROR(Enter());
    TRIPLINE_ASSIGN_OR_RETURN(int operand, ParseNot());
    --depth_;
    return Add({Condition::Kind::kNot, operand, -1, {}});
  }

  // Parsing and evaluation recurse once per parenthesis and `not`: a hostile rule must not
  // exhaust the stack. Real Sigma conditions nest a handful of levels.
  absl::Status Enter() {
    if (++depth_ > kMaxDepth) {
      return Error(Cat("condition nested deeper than ", kMaxDepth, " levels"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int> ParsePrimary() {
    if (pos_ >= tokens_.size()) return Error("condition ends where an identifier was expected");
    const std::string token = tokens_[pos_++];
    std::string lower = absl::AsciiStrToLower(token);
    if (token == "(") {
      TRIPLINE_RETURN_IF_ERROR(Enter());
      TRIPLINE_ASSIGN_OR_RETURN(int inner, ParseOr());
      --depth_;
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") {
        return Error("unbalanced parenthesis: missing ')'");
      }
      ++pos_;
      return inner;
    }
    if (token == ")") return Error("unbalanced parenthesis: unexpected ')'");
    if (lower == "and" || lower == "or" || lower == "of" || lower == "them") {
      return Error(Cat("unexpected '", token, "' where an identifier was expected"));
    }
    if (lower == "near") return Error("the 'near' operator is not supported");
    if (Peek("of")) return ParseOf(token, lower);
    if (token.find('*') != std::string::npos) {
      return Error(Cat("'", token, "' is a pattern: write '1 of ", token,
                                "' or 'all of ", token, "'"));
    }
    for (size_t i = 0; i < identifiers_.size(); ++i) {
      if (identifiers_[i] == token) return Add({Condition::Kind::kRef, -1, -1, {int(i)}});
    }
    return Error(Cat("unknown identifier '", token, "' (the rule defines: ",
                              absl::StrJoin(identifiers_, ", "), ")"));
  }

  absl::StatusOr<int> ParseOf(const std::string& quantifier, const std::string& lower) {
    ++pos_;  // "of"
    if (lower != "1" && lower != "all" && lower != "any") {
      return Error(Cat("'", quantifier, " of' is not supported: Sigma allows '1 of' "
                                "and 'all of'"));
    }
    if (pos_ >= tokens_.size()) return Error(Cat("'", quantifier, " of' needs a pattern"));
    const std::string target = tokens_[pos_++];
    Condition::Node node{lower == "all" ? Condition::Kind::kAllOf : Condition::Kind::kOneOf,
                         -1, -1, {}};
    bool them = absl::AsciiStrToLower(target) == "them";
    StringPattern pattern = StringPattern::Compile(SigmaString::Parse(target), /*cased=*/true);
    for (size_t i = 0; i < identifiers_.size(); ++i) {
      const std::string& id = identifiers_[i];
      if (them ? id.front() != '_' : pattern.Matches(id)) node.refs.push_back(int(i));
    }
    if (node.refs.empty()) {
      return Error(Cat("'", quantifier, " of ", target,
                                "' matches no search identifier"));
    }
    return Add(std::move(node));
  }

  const std::vector<std::string>& identifiers_;
  Condition* out_;
  static constexpr int kMaxDepth = 64;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

absl::StatusOr<Condition> Condition::Parse(const std::vector<std::string>& texts,
                                           const std::vector<std::string>& identifiers) {
  if (texts.empty()) return absl::InvalidArgumentError("condition is empty");
  Condition condition;
  ConditionParser parser(identifiers, &condition);
  for (const std::string& text : texts) {
    ConditionParser one(identifiers, &condition);
    TRIPLINE_ASSIGN_OR_RETURN(int root, one.ParseText(text));
    condition.root_ = condition.root_ < 0 ? root
                                          : parser.Add({Kind::kOr, condition.root_, root, {}});
  }
  return condition;
}

std::string Condition::DebugString(const std::vector<std::string>& identifiers) const {
  return Debug(root_, identifiers);
}

std::string Condition::Debug(int index, const std::vector<std::string>& ids) const {
  const Node& n = nodes_[index];
  auto names = [&] {
    std::vector<std::string> out;
    for (int r : n.refs) out.push_back(ids[r]);
    return absl::StrJoin(out, ", ");
  };
  switch (n.kind) {
    case Kind::kRef: return ids[n.refs.front()];
    case Kind::kAnd: return Cat("and(", Debug(n.left, ids), ", ", Debug(n.right, ids), ")");
    case Kind::kOr: return Cat("or(", Debug(n.left, ids), ", ", Debug(n.right, ids), ")");
    case Kind::kNot: return Cat("not(", Debug(n.left, ids), ")");
    case Kind::kOneOf: return Cat("any(", names(), ")");
    case Kind::kAllOf: return Cat("all(", names(), ")");
  }
  return "";
}

Requirement Condition::Require(int index, const std::function<Requirement(int)>& required) const {
  const Node& n = nodes_[index];
  switch (n.kind) {
    case Kind::kRef: return required(n.refs.front());
    case Kind::kAnd: return MoreSelective(Require(n.left, required), Require(n.right, required));
    case Kind::kOr: return EitherOf(Require(n.left, required), Require(n.right, required));
    case Kind::kNot: return std::nullopt;
    case Kind::kOneOf: {
      if (n.refs.empty()) return std::nullopt;
      Requirement out = std::vector<RequiredLiteral>{};
      for (int r : n.refs) out = EitherOf(std::move(out), required(r));
      return out;
    }
    case Kind::kAllOf: {
      Requirement out;
      for (int r : n.refs) out = MoreSelective(std::move(out), required(r));
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace tripline::correlator::engine
