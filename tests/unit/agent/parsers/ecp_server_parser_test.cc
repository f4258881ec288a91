#include "agent/parsers/exchange_csv/ecp_server_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "tests/unit/agent/parsers/parser_test_util.h"

namespace tripline::agent {
namespace {

using Params = std::map<std::string, std::string>;

Params ParamsOf(const v1::ExchangeCmdlet& c) {
  return {c.parameters().begin(), c.parameters().end()};
}

constexpr char kScript[] =
    R"(http://f/<script language="JScript" runat="server">)"
    R"(function Page_Load(){eval(Request["klk123456"],"unsafe");}</script>)";
constexpr char kOab1[] = "982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3";
constexpr char kOab2[] = "ecd24641-d37f-4974-89f5-2e85ef7fb8d4";

struct Expected {
  int line;  // 1-based line in the file
  const char* name;
  Params params;
  bool succeeded;
};

TEST(EcpServerParser, EveryLineOfTheHelsecertAbridgedLog) {
  const std::vector<Expected> expected = {
      {5, "Get-OabVirtualDirectory", {{"ADPropertiesOnly", "$true"}, {"Identity", "$null"}}, true},
      {6, "Get-MailboxRegionalConfiguration", {}, true},
      {7, "Set-OabVirtualDirectory", {{"ExternalUrl", kScript}, {"Identity", kOab1}}, true},
      {8, "Get-OabVirtualDirectory", {{"ADPropertiesOnly", "$true"}, {"Identity", kOab1}}, true},
      {9, "Get-OABVirtualDirectory", {{"Identity", kOab1}}, true},
      {10, "Get-ExchangeServer", {{"Identity", "servernavn"}}, true},
      {11, "Set-OabVirtualDirectory", {{"ExternalUrl", "$null"}, {"Identity", kOab1}}, false},
      {12, "Remove-OABVirtualDirectory",
       {{"Force", "$true"}, {"Identity", "servernavn\\OAB (Default Web Site)"}}, true},
      {13, "New-OABVirtualDirectory",
       {{"WebSiteName", "Default Web Site"},
        {"Server", "servernavn"},
        {"Role", "ClientAccess"},
        {"InternalURL", "https://servernavn.xxx.local/OAB"},
        {"Path", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB"}},
       true},
      {14, "Get-OabVirtualDirectory",
       {{"ADPropertiesOnly", "$true"}, {"Identity", "servernavn\\OAB (Default Web Site)"}}, true},
      {17, "Get-OabVirtualDirectory", {{"ADPropertiesOnly", "$true"}, {"Identity", "$null"}}, true},
      {18, "Get-MailboxRegionalConfiguration", {}, true},
      {19, "Set-OabVirtualDirectory", {{"ExternalUrl", kScript}, {"Identity", kOab2}}, true},
      {20, "Get-OabVirtualDirectory", {{"ADPropertiesOnly", "$true"}, {"Identity", kOab2}}, true},
      {21, "Get-OABVirtualDirectory", {{"Identity", kOab2}}, true},
      {22, "Set-OabVirtualDirectory", {{"ExternalUrl", "$null"}, {"Identity", kOab2}}, true},
      {23, "Get-OabVirtualDirectory", {{"ADPropertiesOnly", "$true"}, {"Identity", kOab2}}, true},
  };
  const std::vector<int> skipped_lines = {1, 2, 15};   // #Software, #Log-type, blank
  const std::vector<int> error_lines = {3, 4, 16};     // Norwegian annotations
  auto lines = ReadLines(TRIPLINE_SHARED_DIR
                         "/data/samples/helsecert_ecpserver_cve-2021-27065_abridged.log");
  ASSERT_EQ(lines.size(), 23u);
  EcpServerParser parser;
  size_t next = 0;
  for (int n = 1; n <= 23; ++n) {
    SCOPED_TRACE("line " + std::to_string(n));
    v1::Event e;
    auto kind = parser.Parse(lines[n - 1], e);
    if (std::find(error_lines.begin(), error_lines.end(), n) != error_lines.end()) {
      ASSERT_FALSE(kind.ok());
      EXPECT_TRUE(std::string(kind.status().message())
                      .starts_with("field TimeStamp: expected an ISO 8601"))
          << kind.status();
      continue;
    }
    ASSERT_TRUE(kind.ok()) << kind.status();
    if (std::find(skipped_lines.begin(), skipped_lines.end(), n) != skipped_lines.end()) {
      EXPECT_EQ(*kind, LineKind::kSkipped);
      continue;
    }
    ASSERT_EQ(*kind, LineKind::kRecord);
    ASSERT_LT(next, expected.size());
    const Expected& want = expected[next++];
    ASSERT_EQ(want.line, n);
    ASSERT_TRUE(e.has_cmdlet());
    EXPECT_EQ(e.cmdlet().name(), want.name);
    EXPECT_EQ(ParamsOf(e.cmdlet()), want.params);
    EXPECT_EQ(e.cmdlet().succeeded(), want.succeeded);
    EXPECT_EQ(e.cmdlet().origin(), "ecp");
  }
  EXPECT_EQ(next, expected.size());
}

TEST(EcpServerParser, AbridgedSetOabLineFieldByField) {
  auto lines = ReadLines(TRIPLINE_SHARED_DIR
                         "/data/samples/helsecert_ecpserver_cve-2021-27065_abridged.log");
  ASSERT_GE(lines.size(), 11u);
  EcpServerParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse(lines[6], e).ok());
  const v1::ExchangeCmdlet& c = e.cmdlet();
  EXPECT_NE(c.parameters().at("ExternalUrl").find(R"(<script language="JScript" runat="server">)"),
            std::string::npos);
  EXPECT_EQ(c.command_line(),
            std::string("Set-OabVirtualDirectory.ExternalUrl='") + kScript + "'.Identity='" +
                kOab1 + "'");
  EXPECT_EQ(e.event_time().seconds(), 1614754193);  // 2021-03-03T06:49:53Z
  EXPECT_EQ(e.event_time().nanos(), 772000000);

  v1::Event failed;
  ASSERT_TRUE(parser.Parse(lines[10], failed).ok());
  EXPECT_FALSE(failed.cmdlet().succeeded());
  EXPECT_TRUE(failed.cmdlet().error().starts_with(
      "Microsoft.Exchange.Data.Directory.ADNoSuchObjectException:Active Directory operation"));
  EXPECT_NE(failed.cmdlet().error().find("The object 'CN=OAB (Default Web Site),CN=HTTP,"),
            std::string::npos);
}

TEST(EcpServerParser, FullFourColumnLog) {
  EcpServerParser parser;
  ParsedFile file = ParseFile(parser, TRIPLINE_TESTDATA_DIR "/exchange/ecp_server_full.LOG");
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.skipped, 5);
  ASSERT_EQ(file.records.size(), 4u);

  const v1::ExchangeCmdlet& inbox = file.records[0].cmdlet();
  EXPECT_EQ(inbox.name(), "Get-InboxRule");
  EXPECT_TRUE(inbox.parameters().empty());
  EXPECT_EQ(inbox.user_name(), "S-1-5-21-1004336348-1177238915-682003330-1105");
  EXPECT_TRUE(inbox.succeeded());

  const v1::AppLog& request = file.records[1].app();
  EXPECT_EQ(request.message(), "ECP.Request");
  EXPECT_EQ(request.fields().at("URL"), "/ecp/proxyLogon.ecp");
  EXPECT_EQ(request.fields().at("REQID"), "7e1f");
  EXPECT_EQ(request.fields().at("ServerName"), "EXCH01");
  EXPECT_EQ(request.fields().at("EX"), "");

  const v1::ExchangeCmdlet& set = file.records[2].cmdlet();
  EXPECT_EQ(set.name(), "Set-OabVirtualDirectory");
  EXPECT_EQ(set.parameters().at("ExternalUrl"), kScript);
  EXPECT_EQ(set.parameters().at("Identity"), kOab1);
  EXPECT_EQ(set.user_name(), "S-1-5-21-1004336348-1177238915-682003330-500");  // from S:USID
  EXPECT_TRUE(set.succeeded());

  const v1::ExchangeCmdlet& failed = file.records[3].cmdlet();
  EXPECT_FALSE(failed.succeeded());
  EXPECT_EQ(failed.error(),
            "Microsoft.Exchange.Data.Directory.ADNoSuchObjectException:The object "
            "'CN=OAB (Default Web Site),CN=HTTP' does not exist.");
}

TEST(EcpServerParser, CommandForms) {
  struct Case {
    const char* cmd;
    const char* name;
    Params params;
  };
  const std::vector<Case> cases = {
      {"Get-Mailbox", "Get-Mailbox", {}},
      {"Pipeline.1|Get-MailboxRegionalConfiguration", "Get-MailboxRegionalConfiguration", {}},
      {"Pipeline.2|Get-Mailbox.Identity='a|b'|Set-Mailbox.Type=Shared", "Set-Mailbox",
       {{"Type", "Shared"}}},
      // Unquoted values run to the next .Name=, dots and spaces included.
      {"Set-X.Url=https://a.b/c d.e.Force=$true", "Set-X",
       {{"Url", "https://a.b/c d.e"}, {"Force", "$true"}}},
      // A quoted value is taken whole, even with .Name= inside it.
      {"Set-X.Url='x.Identity=y'.Identity='it''s'", "Set-X",
       {{"Url", "x.Identity=y"}, {"Identity", "it's"}}},
      // A quote that does not close at a boundary is part of an unquoted value.
      {"Set-X.A='b'c.D=1", "Set-X", {{"A", "'b'c"}, {"D", "1"}}},
      {"New-Y.Confirm.Name=n", "New-Y", {{"Confirm", ""}, {"Name", "n"}}},
  };
  for (const auto& c : cases) {
    v1::ExchangeCmdlet cmdlet;
    ASSERT_TRUE(ParseEcpCommand(c.cmd, cmdlet).ok()) << c.cmd;
    EXPECT_EQ(cmdlet.name(), c.name) << c.cmd;
    EXPECT_EQ(ParamsOf(cmdlet), c.params) << c.cmd;
  }
  v1::ExchangeCmdlet cmdlet;
  auto bad_name = ParseEcpCommand("'quoted", cmdlet);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.message(), "S:CMD: ''quoted' is not a cmdlet name");
  EXPECT_FALSE(ParseEcpCommand("Get-X.=1", cmdlet).ok());
}

TEST(EcpServerParser, BrokenLinesAreClearErrors) {
  EcpServerParser parser;
  v1::Event e;
  auto unterminated = parser.Parse("2021-03-03T06:49:53.772Z,'S:CMD=Set-X.A=''b", e);
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.status().message(),
            "EventData: unterminated '...' pair starting at byte 0");
  ASSERT_TRUE(parser.Parse("#Fields: TimeStamp,ServerName,EventId,EventData", e).ok());
  auto few = parser.Parse("2021-03-03T06:49:53.772Z,EXCH01", e);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(), "expected 4 fields as the header says, got 2");
  // After a #Fields directive the abridged form is no longer guessed.
  EXPECT_FALSE(parser.Parse("2021-03-03T06:49:53.772Z,S:CMD=Get-X", e).ok());
}

}  // namespace
}  // namespace tripline::agent
