// SigmaHQ rules for logs without a typed body (AWS CloudTrail JSON) and for web proxies, run on
// events made by the agent's own parsers and routed by the logsource their source declares.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "agent/parsers/parser.h"
#include "correlator/engine/engine.h"
#include "correlator/engine/rule_loader.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

const std::string kAwsRules = std::string(TRIPLINE_SHARED_DIR) + "/data/sigma/rules/cloud/aws";
const std::string kProxyRules =
    std::string(TRIPLINE_SHARED_DIR) + "/data/sigma/rules/web/proxy_generic";
const std::string kCloudTrailSample =
    std::string(TRIPLINE_SOURCE_DIR) + "/tests/testdata/cloudtrail/cloudtrail_sample.jsonl";

constexpr char kDisableLogging[] = "4db60cc0-36fb-42b7-9b58-a5b53019fb74";
constexpr char kLoginWithoutMfa[] = "77caf516-34e5-4df9-b4db-20744fea0a60";
constexpr char kAssumedRole[] = "905d389b-b853-46d0-9d3d-dea0d3a3cd49";  // any assumed role (low)
constexpr char kRcloneAgent[] = "2c03648b-e081-41a5-b9fb-7d854a915091";
constexpr char kTelegramApi[] = "b494b165-6634-483d-8c47-2026a6c52372";

v1::DeclaredLogsource Declared(const std::string& product, const std::string& category,
                               const std::string& service) {
  v1::DeclaredLogsource ls;
  ls.set_product(product);
  ls.set_category(category);
  ls.set_service(service);
  return ls;
}

// Parses every line of `text` with the agent's parser for `format` and stamps the declared
// logsource on each record, as a FileSource configured with `logsource:` does.
std::vector<v1::Event> Parse(const std::string& format, const std::string& text,
                             const v1::DeclaredLogsource& logsource) {
  std::unique_ptr<agent::Parser> parser = agent::MakeParser(format);
  std::vector<v1::Event> events;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    v1::Event e;
    e.set_event_id("ev-" + std::to_string(events.size() + 1));
    e.set_original(line);
    *e.mutable_source()->mutable_logsource() = logsource;
    absl::StatusOr<agent::LineKind> kind = parser->Parse(line, e);
    EXPECT_TRUE(kind.ok()) << kind.status() << ": " << line;
    if (kind.ok() && *kind == agent::LineKind::kRecord) events.push_back(std::move(e));
  }
  return events;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const RuleSet> Load(const std::vector<std::string>& paths) {
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths(paths);
  EXPECT_GT(r.rules->size(), 0u);
  return r.rules;
}

// The ids of the rules that fire on each event, in event order.
std::vector<std::vector<std::string>> Fired(std::shared_ptr<const RuleSet> rules,
                                            const std::vector<v1::Event>& events) {
  Engine engine(std::move(rules));
  std::vector<std::vector<std::string>> out;
  for (const v1::Event& e : events) {
    std::vector<v1::Alert> alerts;
    engine.Process(e, &alerts);
    out.emplace_back();
    for (const v1::Alert& a : alerts) out.back().push_back(a.rule().id());
  }
  return out;
}

using Ids = std::vector<std::vector<std::string>>;

TEST(StructuredLogsourceTest, CloudTrailRulesFireOnTheirJsonRecordsOnly) {
  const std::string dir = kAwsRules + "/cloudtrail/";
  auto rules = Load({dir + "aws_cloudtrail_disable_logging.yml",
                     dir + "aws_cloudtrail_console_login_success_without_mfa.yml"});
  ASSERT_EQ(rules->size(), 2u);
  std::vector<v1::Event> events =
      Parse("json", ReadFile(kCloudTrailSample), Declared("aws", "", "cloudtrail"));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].app().fields().at("userIdentity.userName"), "alice");
  EXPECT_EQ(events[1].event_time().seconds(), 1685614537);  // eventTime 2023-06-01T10:15:37Z
  // 1 DescribeInstances; 2 StopLogging; 3 ConsoleLogin without MFA; 4 with MFA; 5 LookupEvents
  // that searches for StopLogging events (the word is in a parameter, not the event name).
  EXPECT_EQ(Fired(rules, events), (Ids{{}, {kDisableLogging}, {kLoginWithoutMfa}, {}, {}}));
}

// A JSON line that does not say it is CloudTrail reaches no CloudTrail rule.
TEST(StructuredLogsourceTest, UndeclaredJsonIsNotCloudTrail) {
  auto rules = Load({kAwsRules + "/cloudtrail/aws_cloudtrail_disable_logging.yml"});
  std::vector<v1::Event> events = Parse("json", ReadFile(kCloudTrailSample), {});
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(Fired(rules, events), (Ids{{}, {}, {}, {}, {}}));
  events = Parse("json", ReadFile(kCloudTrailSample), Declared("azure", "", "activitylogs"));
  EXPECT_EQ(Fired(rules, events), (Ids{{}, {}, {}, {}, {}}));
}

// Every SigmaHQ AWS rule over the sample: only the rules that describe what happened fire (the
// low-severity AssumeRole rule flags any assumed-role session, through two nested members).
TEST(StructuredLogsourceTest, WholeAwsRuleFolderFiresOnlyWhereItShould) {
  auto rules = Load({kAwsRules});
  EXPECT_GT(rules->size(), 50u);
  std::vector<v1::Event> events =
      Parse("json", ReadFile(kCloudTrailSample), Declared("aws", "", "cloudtrail"));
  EXPECT_EQ(Fired(rules, events),
            (Ids{{}, {kDisableLogging}, {kLoginWithoutMfa}, {}, {kAssumedRole}}));
}

// A web proxy writing W3C: HttpRequest bodies, routed to `category: proxy` by the declaration.
constexpr char kProxyLog[] =
    "#Software: SGOS 7.3.6.1\n"
    "#Version: 1.0\n"
    "#Fields: date time time-taken c-ip cs-username cs-method cs-host cs-uri-stem cs-uri-query "
    "sc-status cs(User-Agent) cs-bytes sc-bytes\n"
    "2023-06-01 10:20:01 310 10.20.30.40 - GET downloads.rclone.org "
    "/v1.62.2/rclone-v1.62.2-windows-amd64.zip - 200 rclone/v1.62.2 412 19821034\n"
    "2023-06-01 10:21:15 95 10.20.30.41 - POST api.telegram.org /bot6012345678:AAF/sendDocument "
    "- 200 curl/8.1.2 88213 377\n"
    "2023-06-01 10:21:16 90 10.20.30.42 - POST api.telegram.org /bot6012345678:AAF/sendMessage "
    "- 200 TelegramBot+(like+TwitterBot) 201 311\n"
    "2023-06-01 10:22:00 40 10.20.30.43 - GET www.example.com /index.html - 200 "
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+"
    "Chrome/114.0.0.0+Safari/537.36 350 5120\n";

TEST(StructuredLogsourceTest, ProxyRulesFireOnHttpRequestsOfADeclaredProxyLog) {
  auto rules =
      Load({kProxyRules + "/proxy_ua_rclone.yml", kProxyRules + "/proxy_telegram_api.yml"});
  ASSERT_EQ(rules->size(), 2u);
  std::vector<v1::Event> events = Parse("w3c", kProxyLog, Declared("", "proxy", ""));
  ASSERT_EQ(events.size(), 4u);
  ASSERT_TRUE(events[0].has_http());
  EXPECT_EQ(events[0].http().url_domain(), "downloads.rclone.org");
  EXPECT_EQ(Fired(rules, events), (Ids{{kRcloneAgent}, {kTelegramApi}, {}, {}}));
  // The same lines as a web server's own log are not proxy traffic.
  EXPECT_EQ(Fired(rules, Parse("w3c", kProxyLog, {})), (Ids{{}, {}, {}, {}}));
}

// Every SigmaHQ generic proxy rule loads; the ordinary browsing line raises nothing.
TEST(StructuredLogsourceTest, WholeProxyRuleFolderLoadsAndKeepsQuietOnBrowsing) {
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths({kProxyRules});
  EXPECT_TRUE(r.errors.empty()) << r.errors[0];
  EXPECT_GT(r.rules->size(), 25u);
  std::vector<v1::Event> events = Parse("w3c", kProxyLog, Declared("", "proxy", ""));
  Ids fired = Fired(r.rules, events);
  ASSERT_EQ(fired.size(), 4u);
  EXPECT_TRUE(fired[3].empty()) << fired[3][0];
  EXPECT_FALSE(fired[0].empty());
}

}  // namespace
}  // namespace tripline::correlator::engine
