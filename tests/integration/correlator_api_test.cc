// The correlator's gRPC API against a running correlator and a real Kafka broker: the live alert
// feed (StreamAlerts, and `tripline alerts tail`), the recent alerts (ListAlerts, GetAlert), rule
// validation with positions, and a reload that brings in a new rule without a restart.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <regex>
#include <thread>

#include "tests/support/http_test_client.h"
#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ReadFile;
using testing::WaitUntil;

const char* kShellRule =
    "title: OWA web shell request\nid: api-rule-1\nstatus: test\n"
    "logsource: {category: webserver, product: windows}\n"
    "detection:\n  sel:\n    cs-uri-stem|endswith: /RedirSuiteServerProxy.aspx\n"
    "  condition: sel\nlevel: critical\ntags: [attack.persistence, attack.t1505.003]\n";
const char* kEcpRule =
    "title: ECP web shell request\nid: api-rule-2\nstatus: test\n"
    "logsource: {category: webserver, product: windows}\n"
    "detection:\n  sel:\n    cs-uri-stem|endswith: /ecp/y.js\n  condition: sel\nlevel: high\n";

v1::Event Request(const std::string& id, const std::string& path) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_id("EXCH01");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(1614913587);
  e.mutable_http()->set_method("GET");
  e.mutable_http()->set_url_path(path);
  e.mutable_http()->set_status_code(200);
  return e;
}

class CorrelatorApi : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    std::string s = testing::UniqueSuffix();
    topic_ = "api.events." + s;
    dir_.Write("rules/shell.yml", kShellRule);
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: api-" + s +
                   "\n  events_topic: " + topic_ + "\n  alerts_topic: \"\"\n"
                   "rules:\n  paths: [" + dir_.File("rules") + "]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  jsonl: \"\"\n  stdout: true\napi:\n  listen: 127.0.0.1:0\nmetrics:\n  listen: 127.0.0.1:0\n"
                   "correlator:\n  commit_interval_ms: 200\n  state_dir: " + dir_.File("state") +
                   "\n");
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
    std::string port = testing::WaitForOutput(*correlator_, "gRPC API on port ([0-9]+)", 30s);
    ASSERT_FALSE(port.empty()) << correlator_->Output();
    server_ = "127.0.0.1:" + port;
    std::string metrics =
        testing::WaitForOutput(*correlator_, "127\\.0\\.0\\.1:([0-9]+)/metrics", 30s);
    ASSERT_FALSE(metrics.empty()) << correlator_->Output();
    metrics_port_ = static_cast<uint16_t>(std::stoi(metrics));
    channel_ = grpc::CreateChannel(server_, grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    correlator_->Signal(SIGTERM);
    EXPECT_EQ(correlator_->Wait(30s), 0) << correlator_->Output();
  }
  void Produce(const v1::Event& e) {
    ASSERT_TRUE(testing::ProduceRecords(bootstrap_, topic_, {{e.host().id(), e.SerializeAsString()}}));
  }

  testing::TempDir dir_;
  std::string bootstrap_, topic_, server_;
  uint16_t metrics_port_ = 0;
  std::unique_ptr<Process> correlator_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(CorrelatorApi, StreamListAndGetTheAlertsAsTheyAreRaised) {
  auto stub = v1::AlertService::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 60s);
  v1::StreamAlertsRequest req;
  req.set_min_severity(v1::SEVERITY_HIGH);
  auto reader = stub->StreamAlerts(&ctx, req);
  // Subscribed before the event exists: it must arrive live.
  std::this_thread::sleep_for(500ms);
  Produce(Request("ev-benign", "/owa/auth/logon.aspx"));
  Produce(Request("ev-shell", "/owa/auth/RedirSuiteServerProxy.aspx"));
  v1::Alert alert;
  ASSERT_TRUE(reader->Read(&alert)) << correlator_->Output();
  EXPECT_EQ(alert.rule().id(), "api-rule-1");
  EXPECT_EQ(alert.severity(), v1::SEVERITY_CRITICAL);
  ASSERT_EQ(alert.event_ids_size(), 1);
  EXPECT_EQ(alert.event_ids(0), "ev-shell");
  ctx.TryCancel();
  (void)reader->Finish();

  grpc::ClientContext list_ctx;
  v1::ListAlertsResponse list;
  ASSERT_TRUE(stub->ListAlerts(&list_ctx, v1::ListAlertsRequest(), &list).ok());
  ASSERT_EQ(list.alerts_size(), 1);
  EXPECT_EQ(list.alerts(0).alert_id(), alert.alert_id());
  grpc::ClientContext get_ctx;
  v1::GetAlertRequest get;
  get.set_alert_id(alert.alert_id());
  v1::Alert got;
  ASSERT_TRUE(stub->GetAlert(&get_ctx, get, &got).ok());
  EXPECT_EQ(got.message(), alert.message());

  // The stdout sink printed the alert's ECS document as one JSON line.
  bool printed = false;
  for (const std::string& line : testing::NonEmptyLines(correlator_->Output())) {
    printed |= line.rfind("{", 0) == 0 && line.find(alert.alert_id()) != std::string::npos;
  }
  EXPECT_TRUE(printed) << correlator_->Output();

  // Prometheus sees the same: two events, one alert (counters update at each commit).
  ASSERT_TRUE(WaitUntil(10s, [&] {
    return testing::ScrapeMetric(metrics_port_, "tripline_correlator_alerts_total") == 1;
  })) << correlator_->Output();
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_, "tripline_correlator_events_total"), 2);
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_, "tripline_correlator_matched_events_total"), 1);
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_, "tripline_correlator_decode_errors_total"), 0);
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_, "tripline_correlator_rules"), 1);
  EXPECT_GE(testing::ScrapeMetric(metrics_port_, "tripline_correlator_commits_total"), 1);
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_,
                                  "tripline_correlator_sink_alerts_total{sink=\"stdout\"}"), 1);
  EXPECT_EQ(testing::ScrapeMetric(metrics_port_,
                                  "tripline_correlator_sink_dropped_total{sink=\"stdout\"}"), 0);
}

TEST_F(CorrelatorApi, ValidateNamesTheLineAndReloadBringsInANewRule) {
  auto rules = v1::RuleService::NewStub(channel_);
  grpc::ClientContext vctx;
  v1::ValidateRequest vreq;
  vreq.set_name("typo.yml");
  vreq.set_yaml("title: typo\nlogsource: {category: webserver, product: windows}\n"
                "detection:\n  sel:\n    cs-uri-stem|endswidth: /x\n  condition: sel\n");
  v1::ValidateResponse vresp;
  ASSERT_TRUE(rules->Validate(&vctx, vreq, &vresp).ok());
  ASSERT_EQ(vresp.errors_size(), 1);
  EXPECT_NE(vresp.errors(0).find("typo.yml:5"), std::string::npos) << vresp.errors(0);
  EXPECT_NE(vresp.errors(0).find("endswidth"), std::string::npos) << vresp.errors(0);

  // Every kind of rule validates and is listed with its kind.
  grpc::ClientContext sctx;
  v1::ValidateRequest sreq;
  sreq.set_name("chain.yml");
  sreq.set_yaml(ReadFile(TRIPLINE_SOURCE_DIR "/config/rules/hafnium/webshell_write_request_spawn.yml"));
  v1::ValidateResponse sresp;
  ASSERT_TRUE(rules->Validate(&sctx, sreq, &sresp).ok());
  EXPECT_EQ(sresp.errors_size(), 0) << sresp.ShortDebugString();
  ASSERT_EQ(sresp.rules_size(), 1);
  EXPECT_EQ(sresp.rules(0).kind(), "sequence");
  EXPECT_EQ(sresp.rules(0).file(), "chain.yml");

  dir_.Write("rules/ecp.yml", kEcpRule);
  grpc::ClientContext rctx;
  v1::ReloadResponse rresp;
  ASSERT_TRUE(rules->Reload(&rctx, v1::ReloadRequest(), &rresp).ok());
  EXPECT_EQ(rresp.errors_size(), 0);
  EXPECT_EQ(rresp.rules(), 2u);
  grpc::ClientContext lctx;
  v1::ListRulesResponse lresp;
  ASSERT_TRUE(rules->ListRules(&lctx, v1::ListRulesRequest(), &lresp).ok());
  EXPECT_EQ(lresp.rules_size(), 2);

  // The new rule runs: `tripline alerts tail` shows its alert.
  Process tail({TRIPLINE_TRIPLINE_BIN, "alerts", "tail", "--server", server_, "--json",
                "--limit", "1"},
               dir_.File("tail.out"));
  std::this_thread::sleep_for(1s);
  Produce(Request("ev-ecp", "/ecp/y.js"));
  EXPECT_EQ(tail.Wait(60s), 0) << tail.Output() << correlator_->Output();
  auto doc = nlohmann::json::parse(tail.Output());
  EXPECT_EQ(doc["rule"]["id"], "api-rule-2");
}

TEST_F(CorrelatorApi, AlertsShowPrintsTheEvidenceOfARealAlert) {
  v1::Event e = Request("ev-show", "/owa/auth/RedirSuiteServerProxy.aspx");
  e.mutable_http()->set_url_query("exec=whoami");
  e.mutable_http()->set_source_ip("203.0.113.7");
  e.mutable_http()->set_user_agent("python-requests/2.25");
  Produce(e);
  auto stub = v1::AlertService::NewStub(channel_);
  std::string id;
  ASSERT_TRUE(WaitUntil(30s, [&] {
    grpc::ClientContext ctx;
    v1::ListAlertsResponse list;
    if (!stub->ListAlerts(&ctx, v1::ListAlertsRequest(), &list).ok() || list.alerts_size() == 0) {
      return false;
    }
    id = list.alerts(0).alert_id();
    return true;
  })) << correlator_->Output();

  Process show({TRIPLINE_TRIPLINE_BIN, "alerts", "show", id, "--server", server_},
               dir_.File("show.out"));
  ASSERT_EQ(show.Wait(20s), 0) << show.Output();
  const std::string text = show.Output();
  for (const char* expected :
       {"Alert ", "CRITICAL", "OWA web shell request \\(api-rule-1", "T1505\\.003",
        "host +EXCH01", "Evidence \\(1 event, in time order\\)",
        "2021-03-05T03:06:27\\.000Z  EXCH01  http request",
        "url +/owa/auth/RedirSuiteServerProxy\\.aspx\\?exec=whoami",
        "http\\.response\\.status_code +200", "source\\.ip +203\\.0\\.113\\.7",
        "user_agent\\.original +python-requests/2\\.25", "event\\.id +ev-show"}) {
    EXPECT_TRUE(std::regex_search(text, std::regex(expected))) << "missing '" << expected
                                                               << "' in\n" << text;
  }
  EXPECT_EQ(text.find("\033["), std::string::npos) << "colour on a pipe";

  Process json({TRIPLINE_TRIPLINE_BIN, "alerts", "show", id, "--json", "--server", server_},
               dir_.File("show.json"));
  ASSERT_EQ(json.Wait(20s), 0) << json.Output();
  auto doc = nlohmann::json::parse(json.Output());
  EXPECT_EQ(doc["rule"]["id"], "api-rule-1");
  EXPECT_EQ(doc["event"]["id"], id);
  EXPECT_NE(json.Output().find("203.0.113.7"), std::string::npos) << json.Output();

  Process missing({TRIPLINE_TRIPLINE_BIN, "alerts", "show", "no-such-alert", "--server", server_},
                  dir_.File("missing.out"));
  EXPECT_EQ(missing.Wait(20s), 1);
  EXPECT_NE(missing.Output().find("no alert no-such-alert"), std::string::npos) << missing.Output();
}

}  // namespace
}  // namespace tripline
