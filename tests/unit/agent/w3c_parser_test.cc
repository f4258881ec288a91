#include "agent/parsers/w3c/w3c_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace tripline::agent {
namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(W3cParser, DefaultLayoutParsesHeaderlessIisLine) {
  // A real line from the helsecert incident excerpt: no #Fields header, IIS default 15 columns.
  W3cParser parser;
  v1::Event event;
  auto kind = parser.Parse(
      "2021-03-05 03:06:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx "
      "&CorrelationID=<empty>;&cafeReqId=cde28fc4;&encoding=; 443 - 139.162.202.236 "
      "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 133",
      event);
  ASSERT_TRUE(kind.ok()) << kind.status();
  EXPECT_EQ(*kind, LineKind::kRecord);
  const v1::HttpRequest& h = event.http();
  EXPECT_EQ(h.method(), "GET");
  EXPECT_EQ(h.url_path(), "/owa/auth/RedirSuiteServerProxy.aspx");
  EXPECT_EQ(h.source_ip(), "139.162.202.236");
  EXPECT_EQ(h.destination_port(), 443u);
  EXPECT_EQ(h.user_name(), "");  // '-' is empty
  EXPECT_EQ(h.status_code(), 200);
  EXPECT_EQ(h.duration_ms(), 133u);
  EXPECT_EQ(h.user_agent(), "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/65.0.2345 Safari/537.36");
  EXPECT_EQ(event.event_time().seconds(), 1614913587);  // 2021-03-05T03:06:27Z
}

TEST(W3cParser, FieldsHeaderChangingMidFileDecidesTheColumns) {
  W3cParser parser;
  std::vector<v1::Event> records;
  for (const auto& line : ReadLines(TRIPLINE_TESTDATA_DIR "/w3c/header_change.log")) {
    v1::Event e;
    auto kind = parser.Parse(line, e);
    ASSERT_TRUE(kind.ok()) << line << ": " << kind.status();
    if (*kind == LineKind::kRecord) records.push_back(e);
  }
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].http().url_path(), "/owa/auth/logon.aspx");
  EXPECT_EQ(records[0].http().url_query(), "url=%2fowa%2f");
  const v1::HttpRequest& h = records[1].http();
  EXPECT_EQ(parser.fields().size(), 23u);
  EXPECT_EQ(h.site(), "W3SVC1");
  EXPECT_EQ(h.server_name(), "EXCH01");
  EXPECT_EQ(h.method(), "POST");
  EXPECT_EQ(h.url_path(), "/owa/auth/errorEEE.aspx");
  EXPECT_EQ(h.url_domain(), "mail.example.org");
  EXPECT_EQ(h.user_agent(), "antSword/v2.1");
  EXPECT_EQ(h.response_bytes(), 1289u);
  EXPECT_EQ(h.request_bytes(), 642u);
  EXPECT_EQ(h.extra().at("cs-version"), "HTTP/1.1");
  EXPECT_EQ(h.extra().at("cs(Cookie)"), "X-BEResource=a]@exch01:444/ecp/proxyLogon.ecp#~1941962753");
  EXPECT_EQ(h.extra().at("X-Forwarded-For"), "198.51.100.20");
}

TEST(W3cParser, PlusInUserAgentAndRefererBecomesSpaceButNotInQuery) {
  W3cParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: cs-uri-query cs(User-Agent) cs(Referer)", e).ok());
  ASSERT_TRUE(parser.Parse("a=1+2 Microsoft+Office/16.0 https://x/?q=a+b", e).ok());
  EXPECT_EQ(e.http().url_query(), "a=1+2");
  EXPECT_EQ(e.http().user_agent(), "Microsoft Office/16.0");
  EXPECT_EQ(e.http().referrer(), "https://x/?q=a b");
}

TEST(W3cParser, TooFewOrTooManyFieldsIsAClearError) {
  W3cParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: date time cs-method cs-uri-stem sc-status", e).ok());
  auto few = parser.Parse("2021-03-05 03:06:27 GET /owa/", e);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(), "expected 5 fields as the #Fields: layout says, got 4");
  auto many = parser.Parse("2021-03-05 03:06:27 GET /owa/ 200 extra", e);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().message(), "expected 5 fields as the #Fields: layout says, got 6");
  // The parser is still usable after errors.
  auto good = parser.Parse("2021-03-05 03:06:27 GET /owa/ 200", e);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(e.http().status_code(), 200);
}

TEST(W3cParser, BadNumbersAndDatesNameTheField) {
  W3cParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: date time sc-status", e).ok());
  auto bad_status = parser.Parse("2021-03-05 03:06:27 2OO", e);
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.status().message(), "field sc-status: expected a number, got '2OO'");
  auto bad_date = parser.Parse("2021-13-05 03:06:27 200", e);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.status().message(), "field date: expected YYYY-MM-DD, got '2021-13-05'");
}

TEST(W3cParser, DirectivesCommentsBlankAndCrlfLines) {
  W3cParser parser;
  v1::Event e;
  EXPECT_EQ(*parser.Parse("#Software: Microsoft Internet Information Services 10.0", e),
            LineKind::kSkipped);
  EXPECT_EQ(*parser.Parse("", e), LineKind::kSkipped);
  EXPECT_EQ(*parser.Parse("\r", e), LineKind::kSkipped);
  ASSERT_TRUE(parser.Parse("#Fields: cs-method sc-status\r", e).ok());
  ASSERT_EQ(*parser.Parse("GET 404\r", e), LineKind::kRecord);
  EXPECT_EQ(e.http().status_code(), 404);
  EXPECT_FALSE(parser.Parse("#Fields:   ", e).ok());  // a header with no fields
}

TEST(W3cParser, ResetReturnsToTheDefaultLayout) {
  W3cParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: cs-method", e).ok());
  EXPECT_EQ(parser.fields().size(), 1u);
  parser.Reset();
  EXPECT_EQ(parser.fields(), W3cParser::DefaultFields());
}

TEST(W3cParser, EveryLineOfTheRealIncidentExcerptParsesOrIsASeparator) {
  // helsecert/2021-march-exchange: 8 web-shell GETs, days separated by "-----" lines.
  W3cParser parser;
  int records = 0, errors = 0;
  for (const auto& line :
       ReadLines(TRIPLINE_SHARED_DIR "/data/samples/helsecert_iis_w3svc1_webshell_access.log")) {
    v1::Event e;
    auto kind = parser.Parse(line, e);
    if (!kind.ok()) {
      ++errors;
      EXPECT_EQ(line, "-----");
      continue;
    }
    if (*kind == LineKind::kRecord) {
      ++records;
      EXPECT_EQ(e.http().url_path(), "/owa/auth/RedirSuiteServerProxy.aspx");
    }
  }
  EXPECT_EQ(records, 8);
  EXPECT_EQ(errors, 2);
}

}  // namespace
}  // namespace tripline::agent
