#include "agent/parsers/json/json_parser.h"

#include <gtest/gtest.h>

#include <map>

namespace tripline::agent {
namespace {

using Fields = std::map<std::string, std::string>;

Fields FieldsOf(const v1::Event& e) { return {e.app().fields().begin(), e.app().fields().end()}; }

TEST(JsonParser, FlattensObjectsAndArraysWithDottedKeys) {
  struct Case {
    std::string line;
    Fields fields;
  };
  const std::vector<Case> cases = {
      {R"({"a":1,"b":"x"})", {{"a", "1"}, {"b", "x"}}},
      {R"({"a":{"b":{"c":true}},"d":false})", {{"a.b.c", "true"}, {"d", "false"}}},
      {R"({"a":[1,{"b":2.50},[3]]})", {{"a.0", "1"}, {"a.1.b", "2.50"}, {"a.2.0", "3"}}},
      {R"({"n":null,"e":{},"l":[],"m":[null,7]})", {{"m.1", "7"}}},
      {R"({"s":"tab\tquote\"uni\u00e9"})", {{"s", "tab\tquote\"uni\xc3\xa9"}}},
      {R"({"big":18446744073709551615,"neg":-5})",
       {{"big", "18446744073709551615"}, {"neg", "-5"}}},
      {"\xEF\xBB\xBF{\"bom\":1}\r", {{"bom", "1"}}},
  };
  JsonParser parser;
  for (const auto& c : cases) {
    v1::Event e;
    auto kind = parser.Parse(c.line, e);
    ASSERT_TRUE(kind.ok()) << c.line << ": " << kind.status();
    EXPECT_EQ(*kind, LineKind::kRecord);
    EXPECT_EQ(FieldsOf(e), c.fields) << c.line;
  }
}

TEST(JsonParser, MessageAndTimestamp) {
  JsonParser parser;
  v1::Event e;
  ASSERT_TRUE(
      parser.Parse(R"({"@timestamp":"2021-03-03T08:49:42.5+02:00","message":"hi","msg":"m"})", e)
          .ok());
  EXPECT_EQ(e.app().message(), "hi");
  EXPECT_EQ(FieldsOf(e), (Fields{{"@timestamp", "2021-03-03T08:49:42.5+02:00"}, {"msg", "m"}}));
  EXPECT_EQ(e.event_time().seconds(), 1614754182);  // 06:49:42Z
  EXPECT_EQ(e.event_time().nanos(), 500000000);

  v1::Event msg;
  ASSERT_TRUE(
      parser.Parse(R"({"msg":"only","time":"yesterday","timestamp":"2021-03-03T06:49:42Z"})", msg)
          .ok());
  EXPECT_EQ(msg.app().message(), "only");
  EXPECT_EQ(msg.event_time().seconds(), 1614754182);  // `time` is not RFC 3339: `timestamp` wins

  // Cloud audit logs name their time otherwise: CloudTrail eventTime, Okta published.
  v1::Event trail;
  ASSERT_TRUE(parser.Parse(R"({"eventTime":"2023-06-01T10:15:37Z","eventName":"StopLogging"})",
                           trail)
                  .ok());
  EXPECT_EQ(trail.event_time().seconds(), 1685614537);
  v1::Event okta;
  ASSERT_TRUE(parser.Parse(R"({"published":"2023-06-01T10:15:37.000Z","eventType":"x"})", okta)
                  .ok());
  EXPECT_EQ(okta.event_time().seconds(), 1685614537);

  v1::Event nested;
  ASSERT_TRUE(parser.Parse(R"({"log":{"message":"inner"}})", nested).ok());
  EXPECT_EQ(nested.app().message(), "");  // only a top-level message is taken
  EXPECT_FALSE(nested.has_event_time());
}

TEST(JsonParser, InvalidJsonNamesTheByteOffset) {
  // The text after the offset is nlohmann's reason; the offset (1-based) and the reason's start
  // are what a user needs to find the problem.
  struct Case {
    std::string line;
    std::string error_prefix;
  };
  const std::vector<Case> cases = {
      {R"({"a":1,})", "invalid JSON at byte 8: syntax error while parsing object key"},
      {R"({"a":tru})",
       "invalid JSON at byte 9: syntax error while parsing value - invalid literal"},
      {R"({"a":1} x)", "invalid JSON at byte 9: syntax error while parsing value"},
      {R"({"a":"open)", "invalid JSON at byte 11: syntax error while parsing value - invalid "
                        "string: missing closing quote"},
      {"[1,2]", "expected a JSON object at the top level, got an array"},
      {"42", "expected a JSON object at the top level"},
      {R"({"a":1)", "invalid JSON at byte 7: syntax error while parsing object"},
  };
  JsonParser parser;
  for (const auto& c : cases) {
    v1::Event e;
    auto kind = parser.Parse(c.line, e);
    ASSERT_FALSE(kind.ok()) << c.line;
    EXPECT_TRUE(std::string(kind.status().message()).starts_with(c.error_prefix))
        << c.line << " -> " << kind.status().message();
  }
}

TEST(JsonParser, DepthLimit) {
  auto nested = [](size_t depth) {
    std::string s;
    for (size_t i = 0; i < depth; ++i) s += "{\"k\":";
    s += "1";
    s.append(depth, '}');
    return s;
  };
  JsonParser parser;
  v1::Event ok;
  ASSERT_TRUE(parser.Parse(nested(JsonParser::kMaxDepth), ok).ok());
  std::string key = "k";
  for (size_t i = 1; i < JsonParser::kMaxDepth; ++i) key += ".k";
  EXPECT_EQ(ok.app().fields().at(key), "1");

  v1::Event deep;
  auto too_deep = parser.Parse(nested(JsonParser::kMaxDepth + 1), deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().message(), "JSON nested deeper than 64 levels");
  // A hostile line far deeper than any stack is refused the same way.
  std::string hostile(1'000'000, '[');
  hostile.insert(0, "{\"a\":");
  auto refused = parser.Parse(hostile, deep);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "JSON nested deeper than 64 levels");
}

TEST(JsonParser, BlankLinesAreSkipped) {
  JsonParser parser;
  v1::Event e;
  EXPECT_EQ(*parser.Parse("", e), LineKind::kSkipped);
  EXPECT_EQ(*parser.Parse("  \r", e), LineKind::kSkipped);
}

}  // namespace
}  // namespace tripline::agent
