// The fault suite, part 1: the processes of the pipeline die. Generated IIS lines flow at a
// steady rate through the real tripline-agent, a real Kafka broker and the real
// tripline-correlator while the broker is killed -9 twice, the agent five times, the correlator
// five times (with rule sequences whose steps straddle the kills), and while the log rotates
// every second. Every line and every expected alert is accounted for at the end (FaultTest).
#include <signal.h>

#include <thread>

#include "tests/fault/fault_suite.h"
#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"

namespace tripline::fault {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

// Fixed pauses below only shape the load (how long lines flow between two faults); whether a
// test passes is decided by the bounded waits and the counts in Finish().
void Flow(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

TEST_F(FaultTest, BrokerKilledTwiceMidLoad) {
  testing::PrivateBroker broker(dir_.File("kafka"));
  ASSERT_TRUE(broker.Start()) << "the private broker did not start";
  FaultPipeline pipeline(dir_, {broker.bootstrap()});
  LineWriter writer({.dir = pipeline.logs_dir(), .lines_per_second = 1000, .marker_every = 250});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  ASSERT_TRUE(WaitEvaluated(pipeline, 0, 120s)) << pipeline.Logs();
  // Sequence k: step a before broker kill k, b while it is down, c after both kills.
  for (int k = 0; k < 2; ++k) {
    Flow(3s);
    writer.Step(k, 'a');
    Flow(1s);
    broker.Kill();
    Flow(3s);  // lines keep coming while it is down: they wait in the agent's spool
    writer.Step(k, 'b');
    ASSERT_TRUE(broker.Restart()) << "the broker did not come back";
  }
  ASSERT_TRUE(WaitEvaluated(pipeline, writer.lines(), 180s)) << pipeline.Logs();
  writer.Step(0, 'c');
  writer.Step(1, 'c');
  Flow(2s);
  Finish("broker kill -9 x2", pipeline, writer, {});
}

TEST_F(FaultTest, AgentKilledFiveTimes) {
  FaultPipeline pipeline(dir_, {testing::FixtureBootstrap()});
  LineWriter writer({.dir = pipeline.logs_dir(), .lines_per_second = 2000, .marker_every = 500});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  // Sequence k: step a before agent kill k, b after it, c after the next one: the steps reach
  // the topic from different agent runs (and re-sent records must not start a second run).
  for (int k = 0; k < 5; ++k) {
    Flow(std::chrono::milliseconds(3000 + 500 * (k % 3)));
    writer.Step(k, 'a');
    if (k >= 1) writer.Step(k - 1, 'b');
    if (k >= 2) writer.Step(k - 2, 'c');
    Flow(300ms);
    ASSERT_TRUE(pipeline.KillAgent()) << pipeline.Logs();
    pipeline.StartAgent();
  }
  Flow(2s);
  writer.Step(3, 'c');
  writer.Step(4, 'b');
  writer.Step(4, 'c');
  Flow(1s);
  Finish("agent kill -9 x5", pipeline, writer, {});
}

TEST_F(FaultTest, CorrelatorKilledFiveTimesWithSequencesAcrossTheKills) {
  FaultPipeline pipeline(dir_, {testing::FixtureBootstrap()});
  LineWriter writer({.dir = pipeline.logs_dir(), .lines_per_second = 1000, .marker_every = 200});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  uint64_t restarted_at = 0;
  // Sequence k: step a evaluated before correlator kill k, b after it and before kill k+1, c
  // after kill k+1. Each kill comes once the steps written in its round were evaluated (so the
  // pending sequence is in the engine's state), at a varying distance from the last checkpoint.
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(WaitEvaluated(pipeline, restarted_at, 120s))
        << "the correlator did not resume" << pipeline.Logs();
    writer.Step(k, 'a');
    if (k >= 1) writer.Step(k - 1, 'b');
    if (k >= 2) writer.Step(k - 2, 'c');
    ASSERT_TRUE(WaitEvaluated(pipeline, writer.lines(), 120s)) << pipeline.Logs();
    Flow(std::chrono::milliseconds(150 * k));
    ASSERT_TRUE(pipeline.KillCorrelator()) << pipeline.Logs();
    restarted_at = writer.lines();
    pipeline.StartCorrelator();
  }
  ASSERT_TRUE(WaitEvaluated(pipeline, restarted_at, 120s)) << pipeline.Logs();
  writer.Step(3, 'c');
  writer.Step(4, 'b');
  writer.Step(4, 'c');
  Flow(1s);
  Finish("correlator kill -9 x5", pipeline, writer, {});
}

TEST_F(FaultTest, RotationEverySecondRenameAndCreate) {
  FaultPipeline pipeline(dir_, {testing::FixtureBootstrap()});
  LineWriter writer({.dir = pipeline.logs_dir(),
                     .lines_per_second = 2000,
                     .marker_every = 500,
                     .rotation = Rotation::kRenameCreate});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  Flow(20s);
  EXPECT_GE(writer.rotations(), 10);
  Finish("rotation 1/s rename+create", pipeline, writer, {});
}

TEST_F(FaultTest, RotationEverySecondCopyTruncate) {
  FaultPipeline pipeline(dir_, {testing::FixtureBootstrap()});
  // copytruncate loses, for any reader, what was written but not yet read when the file is
  // truncated. The writer therefore truncates once the agent has read every line so far (its
  // source counter), as the rotation of a live log is arranged; the test is whether the agent
  // then sees every truncation, starts over and reads everything after it exactly once.
  int slow_rotations = 0;
  LineWriter writer(
      {.dir = pipeline.logs_dir(),
       .lines_per_second = 2000,
       .marker_every = 500,
       .rotation = Rotation::kCopyTruncate,
       .before_truncate = [&](uint64_t lines) {
         if (!WaitUntil(30s, [&] {
               return pipeline.AgentMetric("tripline_agent_source_events_total{source=\"iis\"}")
                          .value_or(-1) >= static_cast<double>(lines);
             })) {
           ++slow_rotations;
         }
       }});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  Flow(20s);
  EXPECT_GE(writer.rotations(), 10);
  EXPECT_EQ(slow_rotations, 0) << "the agent did not read the file before a truncation";
  Finish("rotation 1/s copytruncate", pipeline, writer, {});
}

}  // namespace
}  // namespace tripline::fault
