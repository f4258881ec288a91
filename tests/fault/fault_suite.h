#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/fault/fault_env.h"
#include "tests/fault/fault_pipeline.h"
#include "tests/fault/fault_tally.h"
#include "tests/fault/line_writer.h"
#include "tests/support/temp_dir.h"

namespace tripline::fault {

// The shared end of every fault test (tests/fault/README in tests/README.md): once the fault is
// over and the writer stopped, wait (bounded, generous) until every line is on the events topic
// and every expected alert raised, stop both binaries cleanly, read both topics to their end,
// print and record the row, and assert:
//   * every written line is on the topic (lost 0), except, with `counted_drops`, exactly the
//     number of records the agent counted as dropped;
//   * no line under two event ids (a duplicate the correlator could not recognise);
//   * one alert id per marker line and per three-step sequence, no other alert;
//   * the receiver (the alerts topic, or `syslog`) holds every raised alert id;
//   * both binaries stop with exit code 0.
class FaultTest : public ::testing::Test {
 protected:
  struct Expect {
    bool counted_drops = false;        // drop_oldest: missing lines == the agent's drop count
    SyslogReceiver* syslog = nullptr;  // the receiver under test instead of the alerts topic
  };

  void SetUp() override { start_ = std::chrono::steady_clock::now(); }
  // On failure, keeps the logs and configs in $TMPDIR/tripline-fault-failed/<test>.
  void TearDown() override;
  // Prints what the test reached, with the seconds since it started (for CI logs).
  void Phase(const std::string& what) const;
  void Finish(const std::string& fault, FaultPipeline& pipeline, LineWriter& writer, Expect expect);
  // Waits until every line up to `line` was evaluated by the correlator (the alert of a marker
  // written after it is in the JSON lines file).
  bool WaitEvaluated(FaultPipeline& pipeline, uint64_t line, std::chrono::seconds timeout);

  testing::TempDir dir_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tripline::fault
