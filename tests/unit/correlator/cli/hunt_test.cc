#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "correlator/cli/cli.h"
#include "test_dir.h"

namespace tripline::correlator::cli {
namespace {

const std::string kRepo = TRIPLINE_REPO_DIR;

// An IIS log of an Exchange server: a genuine OWA logon, then a request to a web shell dropped
// into /owa/auth/ (ProxyLogon) named to look like RedirSuiteServiceProxy.aspx.
constexpr char kIisLog[] =
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Version: 1.0\n"
    "#Date: 2021-03-03 10:00:00\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
    "2021-03-03 10:00:01 10.0.0.5 GET /owa/auth/logon.aspx - 443 - 192.0.2.10 "
    "Mozilla/5.0 - 200 0 0 15\n"
    "2021-03-03 10:05:42 10.0.0.5 POST /owa/auth/RedirSuiteServerProxy.aspx - 443 - 203.0.113.7 "
    "ExchangeServicesClient/0.0.0.0 - 200 0 0 31\n";

TEST(HuntTest, WebShellRequestGivesOneJsonAlert) {
  TestDir dir;
  dir.Write("W3SVC1/u_ex210303.log", kIisLog);
  CliRun r = Cli({"hunt", dir.path(), "--rules", kRepo + "/config/rules/demo", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> alerts;
  for (std::string line; std::getline(lines, line);) alerts.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(alerts.size(), 1u) << r.out << r.err;
  const nlohmann::json& a = alerts[0];
  EXPECT_EQ(a["rule_id"], "4f6f0d0e-3b7a-4c55-9c1b-2d1e6a0b7a11");
  EXPECT_EQ(a["severity"], "high");
  EXPECT_EQ(a["event_time"], "2021-03-03T10:05:42Z");
  EXPECT_NE(a["original"].get<std::string>().find("RedirSuiteServerProxy.aspx"), std::string::npos);
  EXPECT_EQ(a["fields"]["http"]["url_path"], "/owa/auth/RedirSuiteServerProxy.aspx");
  EXPECT_TRUE(r.err.empty()) << r.err;  // not a terminal: no progress bar
}

TEST(HuntTest, TextSummaryByRuleAndHost) {
  TestDir dir;
  std::string log = dir.Write("u_ex210303.log", kIisLog);
  CliRun r = Cli({"hunt", log, "--rules", kRepo + "/config/rules/demo/owa_auth_unknown_aspx.yml",
               "--format", "w3c"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 events read, 1 alerts"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1  Unknown ASPX Page Requested In The OWA Auth Folder"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("By host:"), std::string::npos) << r.out;
}

TEST(HuntTest, ProgressOnlyOnATerminal) {
  TestDir dir;
  std::string log = dir.Write("u_ex210303.log", kIisLog);
  std::ostringstream out, err;
  int code = RunCli({"hunt", log, "--rules", kRepo + "/config/rules/demo"}, out, err, true);
  EXPECT_EQ(code, 0);
  EXPECT_NE(err.str().find("100%"), std::string::npos) << err.str();
}

TEST(HuntTest, MissingInputOrBadFormatIsAUsageError) {
  EXPECT_EQ(Cli({"hunt", "/nonexistent/logs", "--rules", kRepo + "/config/rules/demo"}).code, 2);
  EXPECT_EQ(Cli({"hunt", "/tmp", "--rules", kRepo + "/config/rules/demo", "--format", "nope"}).code,
            2);
}

}  // namespace
}  // namespace tripline::correlator::cli
