#include "agent/parsers/exchange_csv/generic_csv_parser.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/unit/agent/parsers/parser_test_util.h"

namespace tripline::agent {
namespace {

constexpr char kProbing[] =
    TRIPLINE_SHARED_DIR "/data/samples/helsecert_httpproxy_owa_webshell_probing_abridged.csv";

TEST(GenericCsvParser, HelsecertOwaProbingFileRowsAndCountedErrors) {
  // Block 1: header + 5 rows with one value more (the client IP) than names -> 5 errors.
  // Block 2: header + 35 rows, a `-----` separator (1 error), 34 rows.
  GenericCsvParser parser;
  ParsedFile file = ParseFile(parser, kProbing);
  EXPECT_EQ(file.skipped, 2);  // the two header lines
  EXPECT_EQ(file.records.size(), 69u);
  ASSERT_EQ(file.errors.size(), 6u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(file.errors[i], "expected 6 fields as the header says, got 7");
    EXPECT_NE(file.error_lines[i].find(",139.162.202.236,"), std::string::npos);
  }
  EXPECT_EQ(file.errors[5], "separator line '-----', not a record");

  std::set<std::string> hosts;
  std::map<std::string, int> paths;
  for (const v1::Event& e : file.records) {
    const v1::HttpRequest& h = e.http();
    EXPECT_EQ(h.method(), "GET");
    EXPECT_TRUE(h.status_code() == 302 || h.status_code() == 200) << h.status_code();
    EXPECT_EQ(h.user_agent(),
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) "
              "Chrome/88.0.4324.182 Safari/537.36");
    EXPECT_TRUE(h.url_path().starts_with("/owa/auth/")) << h.url_path();
    EXPECT_EQ(h.source_ip(), "");  // this block has no client IP column
    EXPECT_TRUE(h.extra().empty());
    hosts.insert(h.url_domain());
    ++paths[h.url_path()];
  }
  EXPECT_EQ(hosts, (std::set<std::string>{"serverip", "mail.xxx.no", "autodiscover.xxx.no"}));
  EXPECT_EQ(paths["/owa/auth/RedirSuiteServerProxy.aspx"], 6);
  EXPECT_EQ(paths["/owa/auth/928ccfacbe.aspx"], 3);
  EXPECT_EQ(paths["/owa/auth/Currentthemes/resources/win.ashx"], 6);

  // First record of block 2, field by field.
  const v1::Event& first = file.records[0];
  EXPECT_EQ(first.http().url_domain(), "serverip");
  EXPECT_EQ(first.http().url_path(), "/owa/auth/Current/themes/errorFS.aspx");
  EXPECT_EQ(first.http().status_code(), 302);
  EXPECT_EQ(first.event_time().seconds(), 1615051664);  // 2021-03-06T17:27:44Z
  EXPECT_EQ(first.event_time().nanos(), 124000000);
  // The rows after the separator keep the block's layout.
  const v1::Event& last = file.records.back();
  EXPECT_EQ(last.http().url_path(), "/owa/auth/Current/scripts/premium/fexppw.aspx");
  EXPECT_EQ(last.http().url_domain(), "serverip");
  EXPECT_EQ(last.event_time().seconds(), 1615235866);  // 2021-03-08T20:37:46Z
}

TEST(GenericCsvParser, ClientIpAndOtherNamesMapAndUnknownNamesGoToExtra) {
  GenericCsvParser parser;
  v1::Event e;
  ASSERT_EQ(*parser.Parse("timestamp,clientip,urlpath,Http-Method,httpstatuscode,note", e),
            LineKind::kSkipped);
  ASSERT_EQ(*parser.Parse("2021-03-05T03:06:27.696Z,139.162.202.236,/owa/auth/x.aspx,POST,200,hi",
                          e),
            LineKind::kRecord);
  EXPECT_EQ(e.http().source_ip(), "139.162.202.236");
  EXPECT_EQ(e.http().url_path(), "/owa/auth/x.aspx");
  EXPECT_EQ(e.http().method(), "POST");
  EXPECT_EQ(e.http().status_code(), 200);
  EXPECT_EQ(e.http().extra().at("note"), "hi");
}

TEST(GenericCsvParser, WordsOnlyRecordIsNotMistakenForAHeader) {
  GenericCsvParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("urlpath,method", e).ok());
  auto kind = parser.Parse("index,GET", e);  // one known name at most: a record
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, LineKind::kRecord);
  EXPECT_EQ(e.http().url_path(), "index");
  // After a separator, a line of names is a new header.
  EXPECT_FALSE(parser.Parse("=====", e).ok());
  EXPECT_EQ(*parser.Parse("a,b,c", e), LineKind::kSkipped);
  EXPECT_EQ(parser.fields(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(GenericCsvParser, RowBeforeAnyHeaderAndTooFewFieldsAreErrors) {
  GenericCsvParser parser;
  v1::Event e;
  auto no_header = parser.Parse("2021-03-05T03:06:27.696Z,/owa/", e);
  ASSERT_FALSE(no_header.ok());
  EXPECT_EQ(no_header.status().message(), "no header yet: expected a line of column names first");
  ASSERT_TRUE(parser.Parse("timestamp,urlpath,method", e).ok());
  auto few = parser.Parse("2021-03-05T03:06:27.696Z,/owa/", e);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(), "expected 3 fields as the header says, got 2");
}

}  // namespace
}  // namespace tripline::agent
