#include "tests/fault/fault_pipeline.h"

#include <signal.h>

#include <cstdlib>
#include <regex>

#include "tests/support/http_test_client.h"
#include "tests/support/kafka_test_util.h"

namespace tripline::fault {
namespace {

using namespace std::chrono_literals;

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace

FaultPipeline::FaultPipeline(const testing::TempDir& dir, PipelineOptions options)
    : dir_(dir), options_(std::move(options)) {
  std::string s = testing::UniqueSuffix();
  events_topic_ = "fault.events." + s;
  alerts_topic_ = "fault.alerts." + s;
  group_ = "fault-" + s;
  WriteAgentConfig();
  WriteCorrelatorConfig();
}

void FaultPipeline::WriteAgentConfig() {
  // Short poll and discovery intervals: rotation every second must be seen within it.
  dir_.Write("agent.yaml", "agent:\n  id: FAULT01\n  data_dir: " + dir_.File("agent-data") +
                               "\n  poll_interval_ms: 20\n  shutdown_timeout_ms: 5000\n"
                               "kafka:\n  brokers: " +
                               options_.bootstrap + "\n  topic: " + events_topic_ +
                               "\n  properties:\n    linger.ms: \"5\"\n" + options_.agent_kafka +
                               options_.agent_spool + "sources:\n  - name: iis\n    paths: [" +
                               logs_dir() +
                               "/u_ex*.log]\n    format: w3c\n    discover_interval_ms: 100\n"
                               "metrics:\n  listen: 127.0.0.1:0\n");
}

void FaultPipeline::WriteCorrelatorConfig() {
  // A short session timeout: a member killed -9 leaves the group within seconds, so its
  // successor gets the partitions soon.
  dir_.Write("correlator.yaml",
             "kafka:\n  brokers: " + options_.bootstrap + "\n  group_id: " + group_ +
                 "\n  events_topic: " + events_topic_ + "\n  alerts_topic: " + alerts_topic_ +
                 "\n  topic_partitions: 4\n  properties:\n    session.timeout.ms: \"6000\"\n"
                 "rules:\n  paths: [" TRIPLINE_SOURCE_DIR
                 "/config/rules/demo/owa_auth_unknown_aspx.yml, " TRIPLINE_SOURCE_DIR
                 "/tests/fault/rules]\n  field_map: " TRIPLINE_SOURCE_DIR
                 "/config/field_map.yaml\n"
                 "outputs:\n  jsonl: " +
                 dir_.File("alerts.jsonl") + "\n  retry_backoff_ms: 200\n" +
                 options_.correlator_outputs +
                 "api:\n  listen: \"\"\nmetrics:\n  listen: \"\"\n"
                 "correlator:\n  workers: 2\n  commit_interval_ms: 200\n  state_dir: " +
                 dir_.File("state") + "\n");
}

void FaultPipeline::StartAgent() {
  agent_ = std::make_unique<testing::Process>(
      std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", dir_.File("agent.yaml")},
      dir_.File("agent.out"));
}

void FaultPipeline::StartCorrelator() {
  correlator_ = std::make_unique<testing::Process>(
      std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
      dir_.File("correlator.out"));
}

namespace {

bool Kill(std::unique_ptr<testing::Process>& p) {
  if (!p || !p->running()) return false;
  p->Signal(SIGKILL);
  return p->Wait(30s) == 128 + SIGKILL;
}

std::optional<int> Stop(std::unique_ptr<testing::Process>& p) {
  if (!p) return std::nullopt;
  p->Signal(SIGTERM);
  return p->Wait(60s);
}

}  // namespace

bool FaultPipeline::KillAgent() { return Kill(agent_); }
bool FaultPipeline::KillCorrelator() { return Kill(correlator_); }
std::optional<int> FaultPipeline::StopAgent() { return Stop(agent_); }
std::optional<int> FaultPipeline::StopCorrelator() { return Stop(correlator_); }

std::optional<double> FaultPipeline::AgentMetric(const std::string& series) const {
  if (!agent_) return std::nullopt;
  // The port of the agent that runs now: the last "metrics on" line of the appended log.
  static const std::regex kPort("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics");
  std::string out = AgentOutput();
  std::string port;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kPort); it != std::sregex_iterator();
       ++it) {
    port = (*it)[1];
  }
  if (port.empty()) return std::nullopt;
  testing::TestHttpClient client(static_cast<uint16_t>(std::stoi(port)));
  if (!client.connected() || !client.Send(testing::TestHttpClient::Request("GET", "/metrics"))) {
    return std::nullopt;
  }
  auto response = client.ReadResponse();
  if (!response || response->status != 200) return std::nullopt;
  const std::string& body = response->body;
  for (size_t at = body.find(series + " "); at != std::string::npos;
       at = body.find(series + " ", at + 1)) {
    if (at == 0 || body[at - 1] == '\n') {
      return std::strtod(body.c_str() + at + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

std::string FaultPipeline::Logs() const {
  return "\n--- agent.out (end) ---\n" + Tail(AgentOutput(), 6000) +
         "\n--- correlator.out (end) ---\n" + Tail(CorrelatorOutput(), 6000);
}

AlertTally FaultPipeline::JsonlAlerts() const {
  AlertTally tally;
  for (const std::string& line :
       testing::NonEmptyLines(testing::ReadFile(dir_.File("alerts.jsonl")))) {
    tally.AddJson(line);
  }
  return tally;
}

}  // namespace tripline::fault
