// The spool on a filesystem that fills up for real (ENOSPC, far below the spool's quota): a
// 512 KiB tmpfs, so these tests need root (mount); they skip otherwise. Found by the fault suite
// (tests/fault): a full spool filesystem used to stop the agent, and a segment started on a full
// disk left the spool's bookkeeping on the old segment.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "common/spool/spool.h"
#include "tests/support/temp_dir.h"

namespace tripline::spool {
namespace {

class SpoolDiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    std::filesystem::create_directories(dir_.File("fs"));
    ASSERT_EQ(::mount("tmpfs", dir_.File("fs").c_str(), "tmpfs", 0, "size=512k"), 0);
    mounted_ = true;
  }
  void TearDown() override {
    spool_.reset();
    if (mounted_) ::umount2(dir_.File("fs").c_str(), MNT_DETACH);
  }
  void Open(SpoolConfig::FullPolicy policy) {
    SpoolConfig c;
    c.dir = dir_.File("fs/spool");
    c.max_bytes = 1ull << 30;  // the filesystem, not the quota, runs out
    c.segment_bytes = 64 << 10;
    c.full_policy = policy;
    spool_ = *Spool::Open(c);
  }
  // Appends numbered 1 KiB records until the spool refuses one; returns how many it took.
  int Fill(int limit) {
    const std::string pad(1000, 'x');
    for (int i = next_; i < limit; ++i) {
      auto seq = spool_->Append("k", std::to_string(i) + " " + pad);
      if (!seq.ok()) {
        EXPECT_TRUE(absl::IsResourceExhausted(seq.status())) << seq.status();
        return i;
      }
      next_ = i + 1;
    }
    return limit;
  }
  // Reads and acknowledges everything readable; returns the record numbers.
  std::vector<int> Drain() {
    std::vector<int> out;
    while (const SpoolRecord* r = spool_->Peek()) {
      out.push_back(std::stoi(r->value.substr(0, r->value.find(' '))));
      spool_->Ack(r->seq);
      spool_->Advance();
    }
    return out;
  }

  testing::TempDir dir_;
  bool mounted_ = false;
  std::unique_ptr<Spool> spool_;
  int next_ = 0;
};

TEST_F(SpoolDiskFull, BlockRefusesAtTheFullDiskAndLosesNothingOnceSpaceIsFreed) {
  Open(SpoolConfig::FullPolicy::kBlock);
  const int taken = Fill(100000);
  ASSERT_LT(taken, 100000) << "the 512 KiB filesystem never filled";
  EXPECT_TRUE(absl::IsResourceExhausted(spool_->Sync()));  // not a hard error: a pause
  EXPECT_EQ(spool_->counters().dropped, 0u);
  // Delivering what is on disk frees whole segments; then everything buffered is written too.
  std::vector<int> got = Drain();
  ASSERT_TRUE(spool_->Sync().ok());
  for (int round = 0; round < 3; ++round) {
    Fill(next_ + 200);
    for (int n : Drain()) got.push_back(n);
    (void)spool_->Sync();
  }
  for (int n : Drain()) got.push_back(n);
  ASSERT_EQ(got.size(), static_cast<size_t>(next_));
  for (int i = 0; i < next_; ++i) ASSERT_EQ(got[i], i);
}

TEST_F(SpoolDiskFull, DropOldestMakesRoomAndCountsExactlyWhatItDropped) {
  Open(SpoolConfig::FullPolicy::kDropOldest);
  const int kRecords = 3000;  // ~3 MiB through a 512 KiB filesystem, none of it read
  ASSERT_EQ(Fill(kRecords), kRecords);
  ASSERT_TRUE(spool_->Sync().ok());
  const uint64_t dropped = spool_->counters().dropped;
  EXPECT_GT(dropped, 0u);
  std::vector<int> got = Drain();
  EXPECT_EQ(got.size() + dropped, static_cast<size_t>(kRecords));
  // What survives is the newest records, in order, with no gap among them.
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), kRecords - 1);
  for (size_t i = 1; i < got.size(); ++i) ASSERT_EQ(got[i], got[i - 1] + 1);
}

}  // namespace
}  // namespace tripline::spool
