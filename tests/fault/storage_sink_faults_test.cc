// The fault suite, part 2: what the pipeline writes to runs out or goes away. The agent's spool
// sits on a 2 MiB tmpfs while the broker is down, so its filesystem fills for real (ENOSPC, not
// the spool's quota): with `full_policy: block` nothing may be lost, with `drop_oldest` exactly
// the records the agent counted as dropped may be missing. And the alert receiver (Debian's
// rsyslogd, the cheapest real one) is down for a minute while alerts keep coming: its outbox
// must deliver every one once it is back. Counting and assertions: FaultTest::Finish().
#include <unistd.h>

#include <thread>

#include "tests/fault/fault_suite.h"
#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"

namespace tripline::fault {
namespace {

using namespace std::chrono_literals;
using testing::WaitUntil;

void Flow(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

class SpoolFaultTest : public FaultTest {
 protected:
  void FillTheSpoolFilesystem(const std::string& policy) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    testing::PrivateBroker broker(dir_.File("kafka"));
    ASSERT_TRUE(broker.Start()) << "the private broker did not start";
    // Declared before the pipeline: unmounted only after the agent is gone.
    TmpfsMount spool(dir_.File("spool"), "2m");
    if (!spool.ok()) GTEST_SKIP() << spool.error();
    // Spool quota far above the filesystem; segments of 256 KiB so that there are old ones to
    // delete. A small producer queue, so that the records fill the spool, not librdkafka's memory.
    FaultPipeline pipeline(dir_,
                           {.bootstrap = broker.bootstrap(),
                            .agent_spool = "spool:\n  dir: " + dir_.File("spool") +
                                           "\n  max_bytes: 1073741824\n  segment_bytes: 262144\n"
                                           "  full_policy: " +
                                           policy + "\n",
                            .agent_kafka = "    queue.buffering.max.messages: \"2000\"\n"});
    LineWriter writer({.dir = pipeline.logs_dir(), .lines_per_second = 4000, .marker_every = 1000});
    broker.Kill();
    pipeline.StartCorrelator();
    pipeline.StartAgent();
    writer.Start();
    const std::string full_metric = policy == "block"
                                        ? "tripline_agent_spool_full_pauses_total"
                                        : "tripline_agent_drops_total{reason=\"spool_quota\"}";
    ASSERT_TRUE(WaitUntil(120s, [&] { return pipeline.AgentMetric(full_metric) > 0.0; }))
        << "the spool's filesystem never filled" << pipeline.Logs();
    Flow(3s);  // lines keep coming against the full spool
    ASSERT_TRUE(pipeline.agent_running())
        << "a full spool filesystem stopped the agent" << pipeline.Logs();
    ASSERT_TRUE(broker.Restart()) << "the broker did not come back";
    Flow(2s);
    Finish("spool fs full (2 MiB), " + policy, pipeline, writer,
           {.counted_drops = policy == "drop_oldest"});
  }
};

TEST_F(SpoolFaultTest, FullFilesystemWithBlockLosesNothing) { FillTheSpoolFilesystem("block"); }

TEST_F(SpoolFaultTest, FullFilesystemWithDropOldestMissesExactlyTheCountedDrops) {
  FillTheSpoolFilesystem("drop_oldest");
}

// rsyslogd is stopped with SIGTERM, not killed -9: plain syslog has no application-level
// acknowledgement, so what a killed rsyslogd had acknowledged over TCP but not yet written is
// lost by rsyslog itself, and no sender can tell (correlator/README.md, "Syslog").
TEST_F(FaultTest, AlertReceiverDownForAMinute) {
  SyslogReceiver rsyslog(dir_);
  ASSERT_TRUE(rsyslog.Start()) << rsyslog.Output();
  FaultPipeline pipeline(
      dir_, {.bootstrap = testing::FixtureBootstrap(),
             .correlator_outputs = "  syslog:\n    address: 127.0.0.1:" +
                                   std::to_string(rsyslog.port()) + "\n    timeout_ms: 3000\n"});
  LineWriter writer({.dir = pipeline.logs_dir(), .lines_per_second = 500, .marker_every = 100});
  pipeline.StartCorrelator();
  pipeline.StartAgent();
  writer.Start();
  ASSERT_TRUE(WaitUntil(120s, [&] { return rsyslog.Ids().size() >= 10; }))
      << rsyslog.Output() << pipeline.Logs();
  ASSERT_TRUE(rsyslog.Stop());
  Flow(60s);  // the fault: down for a minute while alerts keep being raised
  ASSERT_TRUE(rsyslog.Start(rsyslog.port())) << rsyslog.Output();
  Flow(3s);
  Finish("alert receiver (rsyslog) down 60 s", pipeline, writer, {.syslog = &rsyslog});
}

}  // namespace
}  // namespace tripline::fault
