#include "agent/parsers/csv/csv_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tripline::agent {
namespace {

std::vector<std::string> Fields(const CsvSplitter& s) {
  return {s.fields().begin(), s.fields().end()};
}

struct SplitCase {
  std::string line;
  std::vector<std::string> fields;
};

TEST(CsvSplitter, SplitsRfc4180Lines) {
  const std::vector<SplitCase> cases = {
      {"a,b,c", {"a", "b", "c"}},
      {"", {""}},
      {",", {"", ""}},
      {"a,,c,", {"a", "", "c", ""}},
      {R"("a,b",c)", {"a,b", "c"}},
      {R"("say ""hi""",x)", {R"(say "hi")", "x"}},
      {R"("",x)", {"", "x"}},
      {R"(ab"c,d)", {R"(ab"c)", "d"}},          // stray quote in an unquoted field is literal
      {R"("ab"c,d)", {"abc", "d"}},              // text after a closing quote is kept
      {"Mozilla/5.0 (KHTML  like Gecko),200", {"Mozilla/5.0 (KHTML  like Gecko)", "200"}},
  };
  CsvSplitter splitter;
  for (const auto& c : cases) {
    ASSERT_TRUE(splitter.Split(c.line).ok()) << c.line;
    EXPECT_EQ(Fields(splitter), c.fields) << c.line;
  }
}

TEST(CsvSplitter, ReportsWhichFieldsWereQuoted) {
  CsvSplitter splitter;
  ASSERT_TRUE(splitter.Split(R"(a,"b")").ok());
  EXPECT_FALSE(splitter.quoted(0));
  EXPECT_TRUE(splitter.quoted(1));
}

TEST(CsvSplitter, UnbalancedQuoteIsAnErrorNamingTheColumn) {
  CsvSplitter splitter;
  auto st = splitter.Split(R"(a,b,"unterminated, value)");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "unterminated quoted field starting at column 5");
  auto doubled_at_end = splitter.Split(R"("abc"")");
  ASSERT_FALSE(doubled_at_end.ok());
  EXPECT_EQ(doubled_at_end.message(), "unterminated quoted field starting at column 1");
  // Still usable afterwards.
  ASSERT_TRUE(splitter.Split("x,y").ok());
  EXPECT_EQ(Fields(splitter), (std::vector<std::string>{"x", "y"}));
}

TEST(CsvSplitter, TooManyFieldsIsAnErrorNotAnAllocation) {
  CsvSplitter splitter;
  std::string line(CsvSplitter::kMaxFields, ',');  // kMaxFields + 1 fields
  auto st = splitter.Split(line);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "more than 4096 fields in one line");
  ASSERT_TRUE(splitter.Split(std::string(CsvSplitter::kMaxFields - 1, ',')).ok());
  EXPECT_EQ(splitter.size(), CsvSplitter::kMaxFields);
}

TEST(CsvSplitter, SplitAtMostKeepsTheRestOfTheLineRaw) {
  CsvSplitter splitter;
  ASSERT_TRUE(splitter.SplitAtMost("t,s,'S:CMD=x(a,b)'", 3).ok());
  EXPECT_EQ(Fields(splitter), (std::vector<std::string>{"t", "s", "'S:CMD=x(a,b)'"}));
  EXPECT_FALSE(splitter.quoted(2));
  // A tail that is exactly one quoted field is unquoted.
  ASSERT_TRUE(splitter.SplitAtMost(R"(t,"a,""b""")", 2).ok());
  EXPECT_EQ(Fields(splitter), (std::vector<std::string>{"t", R"(a,"b")"}));
  EXPECT_TRUE(splitter.quoted(1));
  // A tail that starts quoted but goes on is raw.
  ASSERT_TRUE(splitter.SplitAtMost(R"(t,"a",b)", 2).ok());
  EXPECT_EQ(Fields(splitter), (std::vector<std::string>{"t", R"("a",b)"}));
  // Fewer fields than the limit.
  ASSERT_TRUE(splitter.SplitAtMost("t", 4).ok());
  EXPECT_EQ(splitter.size(), 1u);
}

TEST(CsvSplitter, ReusesFieldsBetweenLines) {
  CsvSplitter splitter;
  ASSERT_TRUE(splitter.Split("a,b,c,d").ok());
  ASSERT_TRUE(splitter.Split("e").ok());
  EXPECT_EQ(Fields(splitter), (std::vector<std::string>{"e"}));
}

}  // namespace
}  // namespace tripline::agent
