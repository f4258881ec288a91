// End to end, as a user runs it: the real tripline-agent tails an IIS log, the real broker
// carries the events, the real tripline-correlator raises the alert into a JSON lines file and the
// alerts topic.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <cstring>
#include <thread>

#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::WaitUntil;
using testing::ConsumeTopic;
using testing::UniqueSuffix;

std::vector<std::string> Lines(const std::string& text) { return testing::NonEmptyLines(text); }

class PipelineE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty()) << "TRIPLINE_KAFKA_DIR must point at a started broker";
    std::string s = UniqueSuffix();
    events_topic_ = "e2e.events." + s;
    alerts_topic_ = "e2e.alerts." + s;
    log_ = dir_.File("u_ex.log");
    alerts_ = dir_.File("alerts.jsonl");
    dir_.Write("agent.yaml",
               "agent:\n  id: EXCH01\n  host_name: exch01.example.org\n"
               "  data_dir: " + dir_.File("agent-data") + "\n  poll_interval_ms: 50\n"
               "kafka:\n  brokers: " + bootstrap_ + "\n  topic: " + events_topic_ + "\n"
               "  properties:\n    linger.ms: \"5\"\n"
               "sources:\n  - name: iis\n    path: " + log_ + "\n    format: w3c\n"
               "metrics:\n  listen: 127.0.0.1:0\n");
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: e2e-" + s +
               "\n  events_topic: " + events_topic_ + "\n  alerts_topic: " + alerts_topic_ +
               "\n  topic_partitions: 2\n"
               "rules:\n  paths: [" TRIPLINE_SOURCE_DIR "/config/rules/demo]\n"
               "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
               "outputs:\n  jsonl: " + alerts_ + "\n"
               "api:\n  listen: 127.0.0.1:0\nmetrics:\n  listen: 127.0.0.1:0\n"
               "correlator:\n  commit_interval_ms: 200\n  state_dir: " + dir_.File("state") + "\n");
  }

  std::unique_ptr<Process> StartCorrelator() {
    return std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
  }
  std::unique_ptr<Process> StartAgent() {
    return std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", dir_.File("agent.yaml")},
        dir_.File("agent.out"));
  }

  TempDir dir_;
  std::string bootstrap_, events_topic_, alerts_topic_, log_, alerts_;
};

constexpr const char* kHeader =
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Version: 1.0\n"
    "#Date: 2021-03-05 03:00:00\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

constexpr const char* kBenign =
    "2021-03-05 03:01:00 10.0.0.5 GET /owa/auth/logon.aspx url=%2fowa%2f 443 - 192.0.2.10 "
    "Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 12\n"
    "2021-03-05 03:01:02 10.0.0.5 POST /owa/auth.owa - 443 alice 192.0.2.10 "
    "Mozilla/5.0+(Windows+NT+10.0) - 302 0 0 40\n"
    "2021-03-05 03:01:03 10.0.0.5 GET /owa/auth/x.aspx - 443 - 192.0.2.99 curl/7.0 - 404 0 2 3\n";

constexpr const char* kShell =
    "2021-03-05 03:06:27 10.0.0.5 GET /owa/auth/RedirSuiteServerProxy.aspx "
    "&CorrelationID=<empty>;&cafeReqId=cde28fc4; 443 - 139.162.202.236 "
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+Chrome/65.0.2345 - 200 0 0 133\n";

TEST_F(PipelineE2E, WebShellRequestInTailedIisLogRaisesOneAlertThroughKafka) {
  auto correlator = StartCorrelator();
  auto agent = StartAgent();
  dir_.Write("u_ex.log", std::string(kHeader) + kBenign);
  // A line written in two parts: the agent must hold the partial line until it is complete.
  std::string shell(kShell);
  dir_.Write("u_ex.log", shell.substr(0, 40), /*append=*/true);
  std::this_thread::sleep_for(300ms);
  dir_.Write("u_ex.log", shell.substr(40), /*append=*/true);

  ASSERT_TRUE(WaitUntil(60s, [&] { return !Lines(ReadFile(alerts_)).empty(); }))
      << "no alert within 60 s\n--- agent ---\n"
      << agent->Output() << "\n--- correlator ---\n"
      << correlator->Output();
  // Let any (wrong) extra alert for the benign lines arrive before counting.
  std::this_thread::sleep_for(1s);
  auto lines = Lines(ReadFile(alerts_));
  ASSERT_EQ(lines.size(), 1u) << ReadFile(alerts_);
  auto alert = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(alert["event"]["kind"], "alert");
  EXPECT_EQ(alert["rule"]["id"], "4f6f0d0e-3b7a-4c55-9c1b-2d1e6a0b7a11");
  EXPECT_EQ(alert["host"]["name"], "exch01.example.org");
  EXPECT_EQ(alert["host"]["id"], "EXCH01");
  EXPECT_EQ(alert["tripline"]["severity"], "high");
  EXPECT_EQ(alert["@timestamp"], "2021-03-05T03:06:27.000Z");
  ASSERT_EQ(alert["tripline"]["events"].size(), 1u);
  auto event = alert["tripline"]["events"][0];
  EXPECT_EQ(event["http"]["url_path"], "/owa/auth/RedirSuiteServerProxy.aspx");
  EXPECT_EQ(event["http"]["source_ip"], "139.162.202.236");
  EXPECT_EQ(event["source"]["path"], log_);
  EXPECT_EQ(alert["related"]["ip"][0], "139.162.202.236");
  auto threat = alert["threat"]["technique"]["id"];
  EXPECT_NE(std::find(threat.begin(), threat.end(), "T1505.003"), threat.end()) << threat;

  // The same alert, by id, on the alerts topic.
  auto records = ConsumeTopic(bootstrap_, alerts_topic_, 1, 30s);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, alert["event"]["id"]);
  EXPECT_EQ(nlohmann::json::parse(records[0].value)["event"]["id"], alert["event"]["id"]);

  // Both stop cleanly on SIGTERM / SIGINT.
  agent->Signal(SIGTERM);
  correlator->Signal(SIGINT);
  EXPECT_EQ(agent->Wait(30s), 0) << agent->Output();
  EXPECT_EQ(correlator->Wait(30s), 0) << correlator->Output();
  // The agent saved its position at the end of what it shipped.
  std::string cp = ReadFile(dir_.File("agent-data/state/iis.state"));
  std::string size = std::to_string(std::string(kHeader).size() + std::strlen(kBenign) + shell.size());
  EXPECT_NE(cp.find("\t" + size + "\t"), std::string::npos) << cp;
}

TEST_F(PipelineE2E, CorrelationRuleRaisesOneAlertForRepeatedProbesFromOneClient) {
  // A Sigma correlation over the stream: three .aspx probes under /owa/auth/ from one client
  // within a minute. The base rule alone raises nothing (generate: false).
  dir_.Write("rules/probing.yml",
             "title: OWA auth aspx request\nname: owa_auth_aspx\nid: e2e-base-1\n"
             "logsource: {category: webserver, product: windows}\n"
             "detection:\n  sel:\n    cs-uri-stem|startswith: /owa/auth/\n"
             "    cs-uri-stem|endswith: .aspx\n  condition: sel\nlevel: low\n---\n"
             "title: Web shell probing from one client\nid: e2e-corr-1\n"
             "correlation:\n  type: event_count\n  rules: [owa_auth_aspx]\n"
             "  group-by: [c-ip]\n  timespan: 1m\n  condition: {gte: 3}\nlevel: high\n");
  std::string config = ReadFile(dir_.File("correlator.yaml"));
  config.replace(config.find(TRIPLINE_SOURCE_DIR "/config/rules/demo"),
                 std::strlen(TRIPLINE_SOURCE_DIR "/config/rules/demo"), dir_.File("rules"));
  dir_.Write("correlator.yaml", config);
  auto correlator = StartCorrelator();
  auto agent = StartAgent();
  std::string lines = kHeader;
  auto probe = [](const std::string& time, const std::string& ip, const std::string& page) {
    return "2021-03-05 03:" + time + " 10.0.0.5 GET /owa/auth/" + page + " - 443 - " + ip +
           " python-requests/2.25.1 - 404 0 2 3\n";
  };
  lines += probe("10:00", "203.0.113.7", "errorEE.aspx");
  lines += probe("10:05", "198.51.100.1", "logon.aspx");
  lines += probe("10:20", "203.0.113.7", "shell.aspx");
  lines += probe("10:50", "203.0.113.7", "RedirSuiteServerProxy.aspx");
  dir_.Write("u_ex.log", lines);
  ASSERT_TRUE(WaitUntil(60s, [&] { return !Lines(ReadFile(alerts_)).empty(); }))
      << agent->Output() << correlator->Output();
  std::this_thread::sleep_for(1s);
  auto alerts = Lines(ReadFile(alerts_));
  ASSERT_EQ(alerts.size(), 1u) << ReadFile(alerts_);
  auto alert = nlohmann::json::parse(alerts[0]);
  EXPECT_EQ(alert["rule"]["id"], "e2e-corr-1");
  EXPECT_EQ(alert["rule"]["category"], "correlation");
  EXPECT_EQ(alert["tripline"]["group_key"], "203.0.113.7");
  EXPECT_EQ(alert["tripline"]["event_ids"].size(), 3u);
  agent->Signal(SIGTERM);
  correlator->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
  EXPECT_EQ(correlator->Wait(30s), 0);
}

TEST_F(PipelineE2E, AgentRestartResumesFromCheckpointWithoutResendingOrLosing) {
  auto correlator = StartCorrelator();
  dir_.Write("u_ex.log", std::string(kHeader) + kBenign);
  {
    auto agent = StartAgent();
    // All three benign records shipped: wait for the checkpoint to cover them.
    std::string end = "\t" + std::to_string(std::strlen(kHeader) + std::strlen(kBenign)) + "\t";
    ASSERT_TRUE(WaitUntil(60s, [&] {
      return ReadFile(dir_.File("agent-data/state/iis.state")).find(end) != std::string::npos;
    })) << agent->Output();
    agent->Signal(SIGTERM);
    ASSERT_EQ(agent->Wait(30s), 0) << agent->Output();
  }
  // Written while the agent is down, then the agent comes back.
  dir_.Write("u_ex.log", kShell, /*append=*/true);
  auto agent = StartAgent();
  ASSERT_TRUE(WaitUntil(60s, [&] { return !Lines(ReadFile(alerts_)).empty(); }))
      << agent->Output() << correlator->Output();
  agent->Signal(SIGTERM);
  ASSERT_EQ(agent->Wait(30s), 0);
  // Exactly the four records reached the events topic: none lost, none sent twice.
  auto events = ConsumeTopic(bootstrap_, events_topic_, 5, 15s);
  EXPECT_EQ(events.size(), 4u);
  for (const auto& r : events) EXPECT_EQ(r.key, "EXCH01");
  EXPECT_EQ(Lines(ReadFile(alerts_)).size(), 1u);
  correlator->Signal(SIGTERM);
  EXPECT_EQ(correlator->Wait(30s), 0);
}

TEST(Cli, BadConfigNamesFileLineAndProblemWithExitCode2) {
  TempDir dir;
  std::string path = dir.Write("agent.yaml",
                               "agent:\n  data_dir: /tmp/x\nkafka:\n  brokers: x:1\n"
                               "sources:\n  - name: a\n    path: /x\n    format: w3c\n"
                               "    colour: red\n");
  Process agent({TRIPLINE_AGENT_BIN, "-c", path}, dir.File("out"));
  EXPECT_EQ(agent.Wait(10s), 2);
  EXPECT_NE(agent.Output().find(path + ":9: sources[0].colour: unknown key"), std::string::npos)
      << agent.Output();

  std::string cpath = dir.Write("correlator.yaml",
                                "kafka:\n  brokers: x:1\n  group: g\nrules:\n  paths: [r]\n");
  Process corr({TRIPLINE_CORRELATOR_BIN, "-c", cpath}, dir.File("cout"));
  EXPECT_EQ(corr.Wait(10s), 2);
  std::string out = corr.Output();
  EXPECT_NE(out.find(cpath + ":3: kafka.group: unknown key"), std::string::npos) << out;
  EXPECT_NE(out.find("rules.field_map: required key is missing"), std::string::npos) << out;
}

TEST(Cli, HelpDescribesOptions) {
  TempDir dir;
  for (const char* bin : {TRIPLINE_AGENT_BIN, TRIPLINE_CORRELATOR_BIN}) {
    Process p({bin, "--help"}, dir.File("help"));
    EXPECT_EQ(p.Wait(10s), 0);
    std::string out = p.Output();
    EXPECT_NE(out.find("--config"), std::string::npos) << out;
    EXPECT_NE(out.find("--check-config"), std::string::npos) << out;
  }
}

TEST(Cli, BadRuleNamesFileLineWithExitCode2) {
  TempDir dir;
  dir.Write("bad.yml",
            "title: Broken\nid: 1\nlogsource:\n  category: webserver\ndetection:\n"
            "  selection:\n    cs-uri-stem|endswit: .aspx\n  condition: selection\n");
  std::string cpath = dir.Write(
      "correlator.yaml", "kafka:\n  brokers: x:1\nrules:\n  paths: [" + dir.File("bad.yml") +
                             "]\n  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n");
  Process corr({TRIPLINE_CORRELATOR_BIN, "-c", cpath, "--check-config"}, dir.File("out"));
  EXPECT_EQ(corr.Wait(10s), 2);
  EXPECT_NE(corr.Output().find(dir.File("bad.yml") + ":7:"), std::string::npos) << corr.Output();
  EXPECT_NE(corr.Output().find("endswit"), std::string::npos) << corr.Output();
}

}  // namespace
}  // namespace tripline
