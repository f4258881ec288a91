#include "agent/sources/host/proc_reader.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/agent/host/host_test_util.h"

namespace tripline::agent {
namespace {

struct CmdlineCase {
  std::string raw;
  std::string want;
};

class JoinCommandLineTest : public ::testing::TestWithParam<CmdlineCase> {};

TEST_P(JoinCommandLineTest, Joins) {
  EXPECT_EQ(ProcReader::JoinCommandLine(GetParam().raw), GetParam().want);
}

using namespace std::string_literals;
INSTANTIATE_TEST_SUITE_P(
    Cases, JoinCommandLineTest,
    ::testing::Values(CmdlineCase{"/bin/sleep\0005\000"s, "/bin/sleep 5"},
                      CmdlineCase{"sh\0-c\0echo hi; id\0"s, "sh -c \"echo hi; id\""},
                      CmdlineCase{"a\0say \"x\"\0"s, "a \"say \\\"x\\\"\""},
                      CmdlineCase{"a\0\0b\0"s, "a \"\" b"},
                      CmdlineCase{"nginx: worker process"s, "nginx: worker process"},
                      CmdlineCase{"c:\\x\0y\0"s, "\"c:\\\\x\" y"}, CmdlineCase{""s, ""}));

TEST(ProcReaderTest, ReadsItself) {
  ProcReader reader;
  auto info = reader.Read(::getpid());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->ppid, ::getppid());
  EXPECT_EQ(info->executable, testing::SelfExe());
  EXPECT_EQ(info->uid, static_cast<int64_t>(::geteuid()));
  EXPECT_GT(info->start_ticks, 0u);
  EXPECT_FALSE(info->kernel_thread);
  EXPECT_NE(reader.BootId(), "unknown-boot");
  EXPECT_GT(reader.BootTimeSeconds(), 0);
  // Uptime and start time are both in clock ticks, but /proc/uptime is read in 10 ms steps, so a
  // process started in the current tick may be one tick "ahead" of it.
  EXPECT_GE(reader.UptimeTicks() + 1, info->start_ticks);
  EXPECT_EQ(ProcReader::EntityId("b", 1, 2), ProcReader::EntityId("b", 1, 2));
  EXPECT_NE(ProcReader::EntityId("b", 1, 2), ProcReader::EntityId("b", 1, 3));
}

TEST(ProcReaderTest, GoneProcessAndUnknownRootAreNotErrors) {
  ProcReader reader;
  EXPECT_FALSE(reader.Read(0x7ffffff0).has_value());
  ProcReader nowhere("/nonexistent-proc");
  EXPECT_TRUE(nowhere.ListPids().empty());
  EXPECT_EQ(nowhere.BootId(), "unknown-boot");
  EXPECT_EQ(reader.UserName(0), "root");
  EXPECT_EQ(reader.UserName(987654), "987654");
}

}  // namespace
}  // namespace tripline::agent
