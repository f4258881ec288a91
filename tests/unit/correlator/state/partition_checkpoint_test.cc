#include "correlator/state/partition_checkpoint.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

TEST(PartitionCheckpoint, NothingBeforeTheFirstSaveThenTheLastOneAfterReopen) {
  testing::TempDir dir;
  std::string path = dir.File("state/tripline.events-3");
  {
    auto cp = PartitionCheckpoint::Open(path);
    ASSERT_TRUE(cp.ok()) << cp.status();
    auto loaded = (*cp)->Load();
    ASSERT_TRUE(loaded.ok());
    EXPECT_FALSE(loaded->has_value());
    ASSERT_TRUE((*cp)->Save(100, "state-at-100").ok());
    ASSERT_TRUE((*cp)->Save(250, std::string("state\0at-250", 12)).ok());
  }
  auto cp = PartitionCheckpoint::Open(path);
  ASSERT_TRUE(cp.ok()) << cp.status();
  auto loaded = (*cp)->Load();
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->next_offset, 250);
  EXPECT_EQ((*loaded)->state, std::string("state\0at-250", 12));
}

// The checkpoint must survive the process dying right after Save() returned (kill -9: no
// destructor, no flush), because the offset is committed to Kafka right after it.
TEST(PartitionCheckpoint, SurvivesTheProcessBeingKilledRightAfterSave) {
  testing::TempDir dir;
  std::string path = dir.File("p0");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto cp = PartitionCheckpoint::Open(path);
    if (!cp.ok() || !(*cp)->Save(42, std::string(1 << 20, 'x')).ok()) ::_exit(1);
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto cp = PartitionCheckpoint::Open(path);  // the dead process's lock is gone with it
  ASSERT_TRUE(cp.ok()) << cp.status();
  auto loaded = (*cp)->Load();
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->next_offset, 42);
  EXPECT_EQ((*loaded)->state.size(), 1u << 20);
}

TEST(PartitionCheckpoint, ASecondOpenOfALiveCheckpointIsRefused) {
  testing::TempDir dir;
  auto first = PartitionCheckpoint::Open(dir.File("p1"));
  ASSERT_TRUE(first.ok());
  auto second = PartitionCheckpoint::Open(dir.File("p1"));
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace tripline::correlator
