// The condition grammar: precedence, quantifiers, patterns and the errors an author will make.
#include "correlator/engine/condition.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace tripline::correlator::engine {
namespace {

const std::vector<std::string> kIds = {"a", "b", "c", "sel1", "sel2", "filter_main", "_x"};

std::string Ast(const std::string& text) {
  auto c = Condition::Parse({text}, kIds);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status();
  return c.ok() ? c->DebugString(kIds) : "";
}

std::string ParseError(const std::vector<std::string>& texts) {
  auto c = Condition::Parse(texts, kIds);
  EXPECT_FALSE(c.ok()) << texts.front();
  return c.ok() ? "" : std::string(c.status().message());
}

bool Eval(const std::string& text, const std::set<std::string>& matching) {
  auto c = Condition::Parse({text}, kIds);
  EXPECT_TRUE(c.ok()) << c.status();
  return c->Evaluate([&](int i) { return matching.count(kIds[i]) > 0; });
}

TEST(ConditionTest, PrecedenceOrAndNot) {
  EXPECT_EQ(Ast("a or b and not c"), "or(a, and(b, not(c)))");
  EXPECT_EQ(Ast("not a and b"), "and(not(a), b)");
  EXPECT_EQ(Ast("(a or b) and c"), "and(or(a, b), c)");
  EXPECT_EQ(Ast("a and b or c"), "or(and(a, b), c)");
  EXPECT_EQ(Ast("not not a"), "not(not(a))");
}

TEST(ConditionTest, EvaluatesPrecedenceLikeSigma) {
  // a or (b and not c)
  EXPECT_TRUE(Eval("a or b and not c", {"a", "c"}));
  EXPECT_TRUE(Eval("a or b and not c", {"b"}));
  EXPECT_FALSE(Eval("a or b and not c", {"b", "c"}));
  EXPECT_FALSE(Eval("a or b and not c", {}));
  // Keywords are case-insensitive.
  EXPECT_TRUE(Eval("b AND NOT c", {"b"}));
}

TEST(ConditionTest, QuantifiersAndPatterns) {
  EXPECT_EQ(Ast("1 of sel*"), "any(sel1, sel2)");
  EXPECT_EQ(Ast("all of sel*"), "all(sel1, sel2)");
  EXPECT_EQ(Ast("1 of them"), "any(a, b, c, sel1, sel2, filter_main)");
  EXPECT_EQ(Ast("all of them"), "all(a, b, c, sel1, sel2, filter_main)");
  EXPECT_EQ(Ast("all of sel* and not 1 of filter_*"),
            "and(all(sel1, sel2), not(any(filter_main)))");
  EXPECT_EQ(Ast("1 of _*"), "any(_x)");  // named explicitly, underscore identifiers count
  EXPECT_TRUE(Eval("1 of sel*", {"sel2"}));
  EXPECT_FALSE(Eval("all of sel*", {"sel2"}));
  EXPECT_TRUE(Eval("all of them", {"a", "b", "c", "sel1", "sel2", "filter_main"}));  // no _x
}

TEST(ConditionTest, ListOfConditionsIsOr) {
  auto c = Condition::Parse({"a and b", "c"}, kIds);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->DebugString(kIds), "or(and(a, b), c)");
  EXPECT_TRUE(c->Evaluate([](int i) { return kIds[i] == "c"; }));
}

TEST(ConditionTest, ShortCircuits) {
  auto c = Condition::Parse({"a and b"}, kIds);
  ASSERT_TRUE(c.ok());
  int calls = 0;
  EXPECT_FALSE(c->Evaluate([&](int) {
    ++calls;
    return false;
  }));
  EXPECT_EQ(calls, 1);
}

TEST(ConditionTest, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(ParseError({"a and nope"}),
            "unknown identifier 'nope' (the rule defines: a, b, c, sel1, sel2, filter_main, _x)");
  // Identifiers are case-sensitive, keywords are not.
  EXPECT_NE(ParseError({"A AND b"}).find("unknown identifier 'A'"), std::string::npos);
  EXPECT_EQ(ParseError({"(a or b"}), "unbalanced parenthesis: missing ')'");
  EXPECT_EQ(ParseError({"a or b)"}), "unbalanced parenthesis: unexpected ')'");
  EXPECT_EQ(ParseError({""}), "condition is empty");
  EXPECT_EQ(ParseError({"a and"}), "condition ends where an identifier was expected");
  EXPECT_EQ(ParseError({"a b"}), "unexpected 'b' after a complete expression");
  EXPECT_EQ(ParseError({"1 of nothing*"}), "'1 of nothing*' matches no search identifier");
  EXPECT_EQ(ParseError({"sel*"}), "'sel*' is a pattern: write '1 of sel*' or 'all of sel*'");
  EXPECT_NE(ParseError({"2 of sel*"}).find("'2 of' is not supported"), std::string::npos);
  EXPECT_NE(ParseError({"a | count() > 5"}).find("aggregation"), std::string::npos);
  EXPECT_NE(ParseError({"a near b"}).find("unexpected"), std::string::npos);
}

// Found by fuzz_sigma_condition: 100,000 '(' overflowed the stack. Nesting is bounded; real
// conditions stay far below the bound.
TEST(ConditionTest, NestingIsBoundedInsteadOfExhaustingTheStack) {
  std::string deep(100000, '(');
  EXPECT_NE(ParseError({deep}).find("nested deeper than 64 levels"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "not ";
  EXPECT_NE(ParseError({nots + "a"}).find("nested deeper than 64 levels"), std::string::npos);
  std::string fine = std::string(60, '(') + "a" + std::string(60, ')');
  EXPECT_TRUE(Condition::Parse({fine}, kIds).ok());
}

}  // namespace
}  // namespace tripline::correlator::engine
