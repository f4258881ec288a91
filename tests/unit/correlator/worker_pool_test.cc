#include "correlator/worker_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace tripline::correlator {
namespace {

TEST(WorkerPoolTest, EveryWorkerRunsItsIndexOnItsOwnThreadAndTheCallerSeesTheResults) {
  WorkerPool pool(3);
  ASSERT_EQ(pool.size(), 3);
  std::vector<std::thread::id> ids(3);
  std::vector<uint64_t> sums(3, 0);
  for (int round = 0; round < 2000; ++round) {
    pool.RunOnAll([&](int w) {
      ids[static_cast<size_t>(w)] = std::this_thread::get_id();
      sums[static_cast<size_t>(w)] += static_cast<uint64_t>(round + w);  // no lock: w's own slot
    });
  }
  EXPECT_EQ(ids[0], std::this_thread::get_id()) << "worker 0 is the caller";
  EXPECT_EQ(std::set<std::thread::id>(ids.begin(), ids.end()).size(), 3u);
  const uint64_t base = 1999ull * 2000 / 2;
  EXPECT_EQ(sums[0], base);
  EXPECT_EQ(sums[1], base + 2000);
  EXPECT_EQ(sums[2], base + 4000);
}

TEST(WorkerPoolTest, OneWorkerRunsOnTheCallerWithoutThreads) {
  WorkerPool pool(1);
  std::thread::id seen;
  pool.RunOnAll([&](int w) {
    EXPECT_EQ(w, 0);
    seen = std::this_thread::get_id();
  });
  EXPECT_EQ(seen, std::this_thread::get_id());
}

}  // namespace
}  // namespace tripline::correlator
