#include "agent/sources/host/process_source.h"

#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "tests/unit/agent/host/host_test_util.h"

namespace tripline::agent {
namespace {

using testing::Child;
using testing::Collector;
using testing::PollUntil;

// A sleep duration no other process on the host uses: "5.0<pid><n>".
std::string UniqueSleepArg() {
  static std::atomic<int> n{0};
  return "5.0" + std::to_string(::getpid()) + std::to_string(++n);
}

const v1::Event* FindCommand(const Collector& out, const std::string& command_line) {
  for (const auto& e : out.events) {
    if (e.has_process() && e.process().process().command_line() == command_line) return &e;
  }
  return nullptr;
}

class ProcessSourceTest : public ::testing::TestWithParam<ProcessMechanism> {
 protected:
  AgentIdentity identity_ = testing::TestIdentity();
};

TEST_P(ProcessSourceTest, ReportsChildWithCommandLineAndParent) {
  ProcessSourceConfig config;
  config.mechanism = GetParam();
  config.scan_interval = std::chrono::milliseconds(50);
  ProcessSource source(config, &identity_);
  ASSERT_TRUE(source.Start("").ok()) << "a missing mechanism degrades, never fails";
  ASSERT_NE(source.mechanism(), ProcessMechanism::kAuto);
  if (GetParam() == ProcessMechanism::kProcScan) {
    EXPECT_EQ(source.mechanism(), ProcessMechanism::kProcScan);
  }
  if (GetParam() == ProcessMechanism::kProcConnector &&
      source.mechanism() != ProcessMechanism::kProcConnector) {
    GTEST_SKIP() << "proc connector not available here (needs CAP_NET_ADMIN, initial namespaces)";
  }
  std::cout << "process mechanism: " << ProcessSource::MechanismName(source.mechanism()) << "\n";

  std::string arg = UniqueSleepArg();
  Child child({"/bin/sleep", arg});
  ASSERT_GT(child.pid(), 0);
  Collector out;
  std::string expected = "/bin/sleep " + arg;
  ASSERT_TRUE(PollUntil(source, out, [&] { return FindCommand(out, expected) != nullptr; }))
      << "no process start for " << expected << " within 3 s";

  const v1::Event& e = *FindCommand(out, expected);
  const v1::ProcessStart& ps = e.process();
  EXPECT_EQ(ps.process().pid(), child.pid());
  EXPECT_EQ(std::filesystem::path(ps.process().executable()).filename(), "sleep");
  EXPECT_EQ(ps.process().name(), "sleep");
  EXPECT_EQ(ps.process().entity_id().size(), 32u);
  EXPECT_EQ(ps.parent().pid(), ::getpid());
  EXPECT_EQ(ps.parent().executable(), testing::SelfExe());
  EXPECT_NE(ps.parent().entity_id(), ps.process().entity_id());
  EXPECT_EQ(ps.working_directory(), std::filesystem::current_path().string());
  EXPECT_EQ(ps.user_name(), ::getpwuid(::geteuid())->pw_name);
  EXPECT_EQ(e.source().kind(), v1::Source::KIND_PROCESS);
  EXPECT_EQ(e.source().format(), ProcessSource::MechanismName(source.mechanism()));
  EXPECT_EQ(e.event_id(), EventId(identity_.agent_id, e.source().file_id(), e.source().position()));
  EXPECT_EQ(e.host().name(), "exch01");
  EXPECT_TRUE(e.has_event_time());
  EXPECT_EQ(source.counters().records, out.events.size());
}

TEST_P(ProcessSourceTest, SameProcessIsNotReportedTwice) {
  ProcessSourceConfig config;
  config.mechanism = GetParam();
  config.scan_interval = std::chrono::milliseconds(20);
  ProcessSource source(config, &identity_);
  ASSERT_TRUE(source.Start("").ok());
  std::string arg = UniqueSleepArg();
  Child child({"/bin/sleep", arg});
  Collector out;
  std::string expected = "/bin/sleep " + arg;
  ASSERT_TRUE(PollUntil(source, out, [&] { return FindCommand(out, expected) != nullptr; }));
  // Let several more scans (or drains) pass; the sleeping child must not come again.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  PollUntil(source, out, [&] { return std::chrono::steady_clock::now() >= until; });
  int seen = 0;
  for (const auto& e : out.events) seen += e.process().process().command_line() == expected;
  EXPECT_EQ(seen, 1);
}

std::string MechanismTestName(const ::testing::TestParamInfo<ProcessMechanism>& p) {
  switch (p.param) {
    case ProcessMechanism::kAuto: return "Auto";
    case ProcessMechanism::kProcConnector: return "ProcConnector";
    case ProcessMechanism::kProcScan: break;
  }
  return "ProcScan";
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, ProcessSourceTest,
                         ::testing::Values(ProcessMechanism::kAuto,
                                           ProcessMechanism::kProcConnector,
                                           ProcessMechanism::kProcScan),
                         MechanismTestName);

TEST(ProcessSourceStateTest, RefusedRecordIsHandedAgainAndNumbersResumeAfterRestart) {
  AgentIdentity identity = testing::TestIdentity();
  ProcessSourceConfig config;
  config.mechanism = ProcessMechanism::kProcScan;
  config.scan_interval = std::chrono::milliseconds(20);
  ProcessSource source(config, &identity);
  ASSERT_TRUE(source.Start("").ok());
  std::string arg = UniqueSleepArg();
  Child child({"/bin/sleep", arg});
  Collector out;
  out.refuse = 1;  // the spool is full once: the record must come again, with the same id
  std::string expected = "/bin/sleep " + arg;
  ASSERT_TRUE(PollUntil(source, out, [&] { return FindCommand(out, expected) != nullptr; }));
  for (size_t i = 0; i < out.events.size(); ++i) EXPECT_EQ(out.events[i].source().position(), i);

  std::string state = source.DurableState(out.events.size());
  EXPECT_EQ(state.rfind("tripline-process-state v1 ", 0), 0u) << state;
  ProcessSource restarted(config, &identity);
  ASSERT_TRUE(restarted.Start(state).ok());
  std::string arg2 = UniqueSleepArg();
  Child child2({"/bin/sleep", arg2});
  Collector out2;
  std::string expected2 = "/bin/sleep " + arg2;
  ASSERT_TRUE(PollUntil(restarted, out2, [&] { return FindCommand(out2, expected2) != nullptr; }));
  EXPECT_EQ(out2.events.front().source().position(), out.events.size());
}

TEST(ProcessSourceStateTest, UnreadableStateIsRefused) {
  AgentIdentity identity = testing::TestIdentity();
  ProcessSourceConfig config;
  config.mechanism = ProcessMechanism::kProcScan;
  ProcessSource source(config, &identity);
  EXPECT_FALSE(source.Start("tripline-network-state v1 x 3\n").ok());
}

}  // namespace
}  // namespace tripline::agent
