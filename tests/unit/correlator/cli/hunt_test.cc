#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <fstream>
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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The ProxyLogon chain spans two logs: the SSRF rows in HttpProxy, the script-tagged
// Set-OabVirtualDirectory in the ECP log. The ECP log sorts first and runs on for 40 minutes
// (an admin's later cmdlet): read one file after the other, the HttpProxy rows would arrive 40
// minutes behind the watermark and be too late for the sequence. hunt reads all inputs in
// event-time order, as the correlator sees the live stream, so the chain is found.
TEST(HuntTest, AChainAcrossTwoLogsIsFoundInEventTimeOrder) {
  TestDir dir;
  const std::string chains = kRepo + "/tests/data/hafnium/chains/";
  std::string ecp = ReadAll(chains + "proxylogon.ecp.LOG");
  ecp += "2021-03-03T07:40:02.118Z,EXCH01,ECP.Request,\"S:TIME=12;'S:CMD=Get-Mailbox.Identity="
         "''alice''';S:USID=S-1-5-21-1-2-3-500\"\n";
  dir.Write("logs/proxylogon.ecp.LOG", ecp);
  dir.Write("logs/proxylogon_ecp.httpproxy.LOG", ReadAll(chains + "proxylogon_ecp.httpproxy.LOG"));
  CliRun r = Cli({"hunt", dir.path() + "/logs", "--rules",
                  kRepo + "/config/rules/hafnium/proxylogon_exploit_chain.yml", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> alerts;
  for (std::string line; std::getline(lines, line);) alerts.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(alerts.size(), 1u) << r.out << r.err;
  EXPECT_EQ(alerts[0]["rule_id"], "f4592174-83c0-4546-8c56-ba6a756378e1");
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

// An incident responder sweeps a CloudTrail export with the SigmaHQ AWS rules: the records are
// JSON lines, so only the declared logsource tells the engine they are CloudTrail.
const std::string kCloudTrail = kRepo + "/tests/testdata/cloudtrail/cloudtrail_sample.jsonl";
const std::string kAwsRules = std::string(TRIPLINE_SIGMA_DIR) + "/rules/cloud/aws";

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::istringstream lines(text);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(HuntTest, LogsourceOptionSweepsACloudTrailExport) {
  CliRun r = Cli({"hunt", kCloudTrail, "--rules", kAwsRules, "--logsource",
                  "product=aws,service=cloudtrail", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<nlohmann::json> alerts = JsonLines(r.out);
  ASSERT_EQ(alerts.size(), 3u) << r.out << r.err;
  EXPECT_EQ(alerts[0]["rule_id"], "4db60cc0-36fb-42b7-9b58-a5b53019fb74");  // StopLogging
  EXPECT_EQ(alerts[0]["event_time"], "2023-06-01T10:15:37Z");
  EXPECT_EQ(alerts[0]["fields"]["app"]["fields"]["eventName"], "StopLogging");
  EXPECT_EQ(alerts[1]["rule_id"], "77caf516-34e5-4df9-b4db-20744fea0a60");  // login without MFA
  EXPECT_NE(alerts[1]["original"].get<std::string>().find("\"MFAUsed\":\"No\""),
            std::string::npos);
  EXPECT_EQ(alerts[2]["rule_id"], "905d389b-b853-46d0-9d3d-dea0d3a3cd49");  // assumed role (low)
  // The AWS folder holds rules Tripline rejects (object-valued requestParameters): hunt says so
  // and runs the rest.
  EXPECT_NE(r.err.find("requestParameters"), std::string::npos) << r.err;
}

TEST(HuntTest, WithoutTheLogsourceJsonLinesAreNotCloudTrail) {
  CliRun r = Cli({"hunt", kCloudTrail, "--rules", kAwsRules});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5 events read, 0 alerts"), std::string::npos) << r.out;
}

TEST(HuntTest, BadLogsourceOrRecordsDocumentIsReported) {
  CliRun bad = Cli({"hunt", kCloudTrail, "--rules", kAwsRules, "--logsource", "vendor=aws"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--logsource: 'vendor=aws'"), std::string::npos) << bad.err;
  EXPECT_EQ(Cli({"hunt", kCloudTrail, "--rules", kAwsRules, "--logsource", "product="}).code, 2);
  // CloudTrail's own S3 objects are one {"Records": [...]} document: no line parser can read it.
  TestDir dir;
  std::string doc = dir.Write("111122223333_CloudTrail_eu-west-1_20230601T1015Z_x.json",
                              "{\"Records\":[{\"eventSource\":\"cloudtrail.amazonaws.com\","
                              "\"eventName\":\"StopLogging\"}]}\n");
  CliRun r =
      Cli({"hunt", doc, "--rules", kAwsRules, "--logsource", "product=aws,service=cloudtrail"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("jq -c '.Records[]'"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("0 events read, 0 alerts"), std::string::npos) << r.out;
}

TEST(HuntTest, MissingInputOrBadFormatIsAUsageError) {
  EXPECT_EQ(Cli({"hunt", "/nonexistent/logs", "--rules", kRepo + "/config/rules/demo"}).code, 2);
  EXPECT_EQ(Cli({"hunt", "/tmp", "--rules", kRepo + "/config/rules/demo", "--format", "nope"}).code,
            2);
}

}  // namespace
}  // namespace tripline::correlator::cli
