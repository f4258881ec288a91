#include "agent/parsers/exchange_csv/httpproxy_parser.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/unit/agent/parsers/parser_test_util.h"

namespace tripline::agent {
namespace {

TEST(HttpProxyParser, Exchange2016HeaderThenOlderHeaderMidFileWithBomAndCrlf) {
  HttpProxyParser parser;
  ParsedFile file =
      ParseFile(parser, TRIPLINE_TESTDATA_DIR "/exchange/httpproxy_ecp_header_change.LOG");
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.skipped, 10);  // two blocks of 5 directives
  ASSERT_EQ(file.records.size(), 4u);

  const v1::HttpRequest& benign = file.records[0].http();
  EXPECT_EQ(benign.protocol(), "Autodiscover");
  EXPECT_EQ(benign.url_path(), "/autodiscover/autodiscover.xml");
  EXPECT_EQ(benign.url_domain(), "autodiscover.example.org");
  EXPECT_EQ(benign.user_name(), "EXAMPLE\\jdoe");
  EXPECT_EQ(benign.anchor_mailbox(), "Sid~S-1-5-21-1004336348-1177238915-682003330-4343");
  EXPECT_EQ(benign.routing_hint(), "WindowsIdentity");
  EXPECT_EQ(benign.backend_server(), "exch01.example.local");
  EXPECT_EQ(benign.server_name(), "EXCH01");
  EXPECT_EQ(benign.method(), "POST");
  EXPECT_EQ(benign.request_bytes(), 1104u);
  EXPECT_EQ(benign.response_bytes(), 2931u);
  EXPECT_EQ(benign.correlation_id(), "5e58f5e5-1b6a-4a4e-9d4b-3f0f5b0a1c2d");
  EXPECT_EQ(benign.extra().at("AuthenticationType"), "NTLM");
  EXPECT_EQ(benign.extra().at("IsAuthenticated"), "true");
  EXPECT_EQ(benign.extra().at("RoutingType"), "IntraForest");
  EXPECT_EQ(benign.extra().at("BackEndStatus"), "200");
  EXPECT_EQ(benign.extra().at("BackEndCookie"),
            "Database~9c2f1e0a-7d3b-4b8e-a1c5-2e6f3d4b5a69~~2021-03-02T19:10:00");
  EXPECT_EQ(benign.extra().at("GenericInfo"), "RoutingDB=MDB01;");
  EXPECT_FALSE(benign.extra().contains("ClientRequestId"));  // empty columns leave nothing
  EXPECT_FALSE(benign.extra().contains("DateTime"));          // typed columns are not repeated
  EXPECT_EQ(file.records[0].event_time().seconds(), 1614711600);  // 2021-03-02T19:00:00Z
  EXPECT_EQ(file.records[0].event_time().nanos(), 130000000);

  const v1::HttpRequest& ssrf = file.records[1].http();
  EXPECT_EQ(ssrf.url_path(), "/ecp/y.js");
  EXPECT_EQ(ssrf.source_ip(), "130.255.189.21");
  EXPECT_EQ(ssrf.user_name(), "");
  EXPECT_EQ(ssrf.anchor_mailbox(),
            "ServerInfo~a]@exch01.example.local:444/autodiscover/autodiscover.xml?#");
  EXPECT_EQ(ssrf.routing_hint(), "X-BEResource-Cookie");
  EXPECT_EQ(ssrf.user_agent(), "ExchangeServicesClient/0.0.0.0");
  EXPECT_EQ(ssrf.extra().at("GenericErrors"), "ProxyRequestHandler,\"quoted\" note");
  EXPECT_EQ(file.records[2].http().status_code(), 241);
  EXPECT_EQ(file.records[2].http().url_query(), "x=1");  // leading '?' removed

  // The older 63-column layout from the second #Fields block.
  EXPECT_EQ(parser.fields().size(), 63u);
  const v1::HttpRequest& reset = file.records[3].http();
  EXPECT_EQ(reset.url_path(), "/ecp/DDI/DDIService.svc/SetObject");
  EXPECT_EQ(reset.url_query(), "msExchEcpCanary=x&schema=ResetOABVirtualDirectory");
  EXPECT_TRUE(reset.anchor_mailbox().ends_with("schema=ResetOABVirtualDirectory#"));
  EXPECT_EQ(reset.status_code(), 200);
  EXPECT_EQ(reset.url_domain(), "");  // no UrlHost column in that build
}

constexpr char kDdi[] = "/ecp/DDI/DDIService.svc/";
constexpr char kCanary2[] = "msExchEcpCanary=8BeqxxxWYd1L8.";
constexpr char kProxyLogonExport[] =
    TRIPLINE_SHARED_DIR "/data/samples/helsecert_testproxylogon_cve-2021-26855_httpproxy_ecp.csv";

struct ProxyLogonRow {
  const char* time;
  const char* url_domain;
  const char* user_agent;
  std::string backend_path;  // after ServerInfo~a]@servernavn.xxx.local:444
  int status;
};

TEST(HttpProxyParser, EveryRowOfTheTestProxyLogonExportParses) {
  // helsecert: #TYPE line, quoted header line, 11 SSRF rows.
  const std::vector<ProxyLogonRow> expected = {
      {"2021-03-03T06:49:42.162Z", "mail.xxx.no", "ExchangeServicesClient/0.0.0.0",
       "/autodiscover/autodiscover.xml?#", 200},
      {"2021-03-03T06:49:43.699Z", "mail.xxx.no", "python-requests/2.25.1", "/mapi/emsmdb/?#", 200},
      {"2021-03-03T06:49:46.210Z", "mail.xxx.no", "python-requests/2.25.1",
       "/ecp/proxyLogon.ecp?#", 241},
      {"2021-03-03T06:49:51.543Z", "mail.xxx.no", "python-requests/2.25.1",
       std::string(kDdi) + "GetObject?msExchEcpCanary=M1xSxxxDuw.&schema=OABVirtualDirectory#",
       200},
      {"2021-03-03T06:59:10.817Z", "autodiscover.xxx.no", "ExchangeServicesClient/0.0.0.0",
       "/autodiscover/autodiscover.xml?#", 200},
      {"2021-03-03T06:59:11.840Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       "/mapi/emsmdb/?#", 200},
      {"2021-03-03T06:59:13.030Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       "/ecp/proxyLogon.ecp?#", 241},
      {"2021-03-03T06:59:14.588Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       std::string(kDdi) + "GetObject?" + kCanary2 + "&schema=OABVirtualDirectory#",
       200},
      {"2021-03-03T06:59:18.042Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       std::string(kDdi) + "SetObject?" + kCanary2 + "&schema=OABVirtualDirectory#",
       200},
      {"2021-03-03T06:59:20.359Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       std::string(kDdi) + "SetObject?" + kCanary2 + "&schema=ResetOABVirtualDirectory#",
       200},
      {"2021-03-03T06:59:23.288Z", "autodiscover.xxx.no", "python-requests/2.25.1",
       std::string(kDdi) + "SetObject?" + kCanary2 + "&schema=OABVirtualDirectory#",
       200},
  };
  HttpProxyParser parser;
  ParsedFile file = ParseFile(parser, kProxyLogonExport);
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.skipped, 2);  // #TYPE and the header line
  ASSERT_EQ(file.records.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    const v1::HttpRequest& h = file.records[i].http();
    EXPECT_EQ(h.url_path(), "/ecp/y.js");
    EXPECT_EQ(h.source_ip(), "130.255.189.21");
    EXPECT_EQ(h.routing_hint(), "X-BEResource-Cookie");
    EXPECT_EQ(h.correlation_id(), "xxx");
    EXPECT_EQ(h.url_domain(), expected[i].url_domain);
    EXPECT_EQ(h.user_agent(), expected[i].user_agent);
    EXPECT_EQ(h.anchor_mailbox(),
              std::string("ServerInfo~a]@servernavn.xxx.local:444") + expected[i].backend_path);
    EXPECT_EQ(h.status_code(), expected[i].status);
    EXPECT_TRUE(h.extra().empty());
    int hh = 0, mm = 0, ss = 0, ms = 0;  // all rows are on 2021-03-03 (1614729600 at 00:00Z)
    ASSERT_EQ(std::sscanf(expected[i].time, "2021-03-03T%d:%d:%d.%dZ", &hh, &mm, &ss, &ms), 4);
    EXPECT_EQ(file.records[i].event_time().seconds(), 1614729600 + hh * 3600 + mm * 60 + ss);
    EXPECT_EQ(file.records[i].event_time().nanos(), ms * 1000000);
  }
  EXPECT_EQ(file.records[0].event_time().seconds(), 1614754182);  // 2021-03-03T06:49:42Z
  EXPECT_EQ(file.records[0].event_time().nanos(), 162000000);
}

TEST(HttpProxyParser, RecordBeforeAnyHeaderIsAnError) {
  HttpProxyParser parser;
  v1::Event e;
  auto st = parser.Parse("2021-03-03T06:49:42.162Z,xxx,/ecp/y.js", e);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(),
            "no header yet: expected a #Fields: directive or a line of HttpProxy column names");
  // A line of names that are not all HttpProxy columns is not a header either.
  EXPECT_FALSE(parser.Parse("DateTime,UrlStem,Bogus", e).ok());
}

TEST(HttpProxyParser, AfterAFieldsDirectiveANameLineIsARecordNotAHeader) {
  HttpProxyParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: UrlStem,Method", e).ok());
  auto kind = parser.Parse("UrlStem,Method", e);
  ASSERT_TRUE(kind.ok());
  EXPECT_EQ(*kind, LineKind::kRecord);
  EXPECT_EQ(e.http().url_path(), "UrlStem");
}

TEST(HttpProxyParser, WrongFieldCountsBadValuesAndQuotesAreClearErrors) {
  HttpProxyParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: DateTime,UrlStem,HttpStatus", e).ok());
  struct Case {
    const char* line;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"2021-03-03T06:49:42.162Z,/owa/", "expected 3 fields as the header says, got 2"},
      {"2021-03-03T06:49:42.162Z,/owa/,200,x", "expected 3 fields as the header says, got 4"},
      {"2021-03-03T06:49:42.162Z,/owa/,2OO", "field HttpStatus: expected a number, got '2OO'"},
      {"2021-03-03 06:49,/owa/,200",
       "field DateTime: expected an ISO 8601 time like 2021-03-03T06:49:42.162Z, got "
       "'2021-03-03 06:49'"},
      {"2021-03-03T06:49:42.162Z,\"/owa/,200", "unterminated quoted field starting at column 26"},
  };
  for (const auto& c : cases) {
    auto st = parser.Parse(c.line, e);
    ASSERT_FALSE(st.ok()) << c.line;
    EXPECT_EQ(st.status().message(), c.error);
  }
  ASSERT_TRUE(parser.Parse("2021-03-03T06:49:42.162Z,/owa/,200", e).ok());
  EXPECT_EQ(e.http().status_code(), 200);
}

TEST(HttpProxyParser, EmptyFieldsDirectiveIsAnErrorAndResetForgetsTheHeader) {
  HttpProxyParser parser;
  v1::Event e;
  EXPECT_FALSE(parser.Parse("#Fields:  ", e).ok());
  ASSERT_TRUE(parser.Parse("#Fields: UrlStem", e).ok());
  EXPECT_EQ(parser.fields().size(), 1u);
  parser.Reset();
  EXPECT_TRUE(parser.fields().empty());
  EXPECT_FALSE(parser.Parse("/owa/", e).ok());
}

}  // namespace
}  // namespace tripline::agent
