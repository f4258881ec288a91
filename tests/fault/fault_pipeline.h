#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tests/fault/fault_tally.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline::fault {

// The rule id of tests/fault/rules/fault_sequence.yml.
inline constexpr const char* kSequenceRuleId = "f4a17c0e-5b1d-4c3e-9a8f-fa17f0000001";

// What differs between the faults.
struct PipelineOptions {
  std::string bootstrap;
  std::string agent_spool;         // a `spool:` section for agent.yaml ("" = the defaults)
  std::string agent_kafka;         // extra producer properties (four-space indented)
  std::string correlator_outputs;  // extra keys under `outputs:` (two-space indented)
};

// The real tripline-agent and tripline-correlator of one fault test, in `dir`: the agent tails
// `<dir>/logs/u_ex*.log` (W3C) into a topic of the test's own; the correlator (its own group,
// state folder and alerts topic) runs config/rules/demo's marker rule and the test sequence
// rule, writing alerts to `<dir>/alerts.jsonl` and the alerts topic. Either side can be started,
// killed -9 and started again any number of times; outputs append to agent.out / correlator.out.
// Thread: the test thread. The destructor kills what still runs.
class FaultPipeline {
 public:
  FaultPipeline(const testing::TempDir& dir, PipelineOptions options);

  std::string logs_dir() const { return dir_.File("logs"); }
  const std::string& bootstrap() const { return options_.bootstrap; }
  const std::string& events_topic() const { return events_topic_; }
  const std::string& alerts_topic() const { return alerts_topic_; }

  void StartAgent();
  // kill -9; false if it was not running or did not die of it.
  bool KillAgent();
  // SIGTERM; the exit code (nullopt: it did not stop within 60 s).
  std::optional<int> StopAgent();
  void StartCorrelator();
  bool KillCorrelator();
  std::optional<int> StopCorrelator();
  bool agent_running() { return agent_ && agent_->running(); }
  bool correlator_running() { return correlator_ && correlator_->running(); }

  // One series (`name{labels}` exactly as exposed) from the running agent's /metrics; nullopt
  // while it is not up or does not expose it.
  std::optional<double> AgentMetric(const std::string& series) const;
  std::string AgentOutput() const { return testing::ReadFile(dir_.File("agent.out")); }
  std::string CorrelatorOutput() const { return testing::ReadFile(dir_.File("correlator.out")); }
  // The ends of both logs, for failure messages.
  std::string Logs() const;

  // The alerts in the JSON lines file so far.
  AlertTally JsonlAlerts() const;

 private:
  void WriteAgentConfig();
  void WriteCorrelatorConfig();

  const testing::TempDir& dir_;
  PipelineOptions options_;
  std::string events_topic_, alerts_topic_, group_;
  std::unique_ptr<testing::Process> agent_, correlator_;
};

}  // namespace tripline::fault
