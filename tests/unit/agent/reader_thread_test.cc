#include "agent/reader_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tripline::agent {
namespace {

using namespace std::chrono_literals;

// A source of `total` records whose event_id is "<name>-<n>"; it emits at most `per_poll` per
// poll and, like every source, hands a refused record again at its next poll.
class CountingSource : public Source {
 public:
  CountingSource(std::string name, uint64_t total, uint64_t per_poll)
      : name_(std::move(name)), total_(total), per_poll_(per_poll) {}
  const std::string& name() const override { return name_; }
  absl::Status Start(std::string_view) override { return absl::OkStatus(); }
  absl::StatusOr<size_t> Poll(size_t, const EmitFn& emit) override {
    size_t n = 0;
    for (; next_ < total_ && n < per_poll_; ++n) {
      v1::Event e;
      e.set_event_id(name_ + "-" + std::to_string(next_));
      e.mutable_host()->set_id("HOST-" + name_);
      e.mutable_app()->set_message(std::string(100, 'x'));
      TRIPLINE_RETURN_IF_ERROR(emit(e));
      ++next_;
      ++counters_.records;
    }
    return n;
  }
  std::string DurableState(uint64_t count) override { return std::to_string(count); }
  const SourceCounters& counters() const override { return counters_; }
  uint64_t emitted() const { return next_; }

 private:
  std::string name_;
  uint64_t total_, per_poll_, next_ = 0;
  SourceCounters counters_;
};

struct Harness {
  explicit Harness(size_t max_queued_bytes) {
    EXPECT_TRUE(wakeup.Open().ok());
    reader = std::make_unique<ReaderThread>(&sources, &mu, &wakeup, 5ms, max_queued_bytes);
  }
  CountingSource& Add(std::string name, uint64_t total, uint64_t per_poll) {
    sources.push_back(std::make_unique<CountingSource>(std::move(name), total, per_poll));
    return static_cast<CountingSource&>(*sources.back());
  }
  // Takes until `want` records arrived (or 30 s passed), releasing each batch as the main loop
  // does; returns the event ids per source index, in arrival order.
  std::vector<std::vector<std::string>> TakeAll(size_t want, std::chrono::milliseconds pause = 0ms) {
    std::vector<std::vector<std::string>> ids(sources.size());
    size_t got = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got < want && std::chrono::steady_clock::now() < deadline) {
      std::deque<RecordBatch> batches;
      reader->Take(&batches);
      for (const RecordBatch& b : batches) {
        for (const auto& item : b.items) {
          v1::Event e;
          EXPECT_TRUE(e.ParseFromString(std::string(b.value(item))));
          EXPECT_EQ(b.key(item), e.host().id());
          ids.at(item.source).push_back(e.event_id());
          ++got;
        }
        reader->Release(b);
      }
      if (batches.empty()) wakeup.Wait(20ms);
      if (pause.count() > 0) std::this_thread::sleep_for(pause);  // a slow main loop
    }
    return ids;
  }

  std::mutex mu;
  platform::Wakeup wakeup;
  std::vector<std::unique_ptr<Source>> sources;
  std::unique_ptr<ReaderThread> reader;
};

void ExpectInOrder(const std::vector<std::string>& ids, const std::string& name, uint64_t n) {
  ASSERT_EQ(ids.size(), n) << name;
  for (uint64_t i = 0; i < n; ++i) ASSERT_EQ(ids[i], name + "-" + std::to_string(i));
}

TEST(ReaderThread, EveryRecordOfEverySourceArrivesOnceInOrder) {
  Harness h(4 << 20);
  h.Add("a", 20000, 700);
  h.Add("b", 5000, 300);
  h.reader->Start();
  auto ids = h.TakeAll(25000);
  h.reader->Stop();
  ExpectInOrder(ids[0], "a", 20000);
  ExpectInOrder(ids[1], "b", 5000);
  EXPECT_EQ(h.reader->queued_bytes(), 0u);
}

TEST(ReaderThread, AFullQueueRefusesWithoutLosingOrRepeating) {
  // A queue of 16 KiB (about 100 records) and a main loop that sleeps between takes: the
  // source is refused over and over, and hands each refused record again.
  Harness h(16 << 10);
  CountingSource& a = h.Add("a", 3000, 1000);
  h.reader->Start();
  auto ids = h.TakeAll(3000, 2ms);
  h.reader->Stop();
  ExpectInOrder(ids[0], "a", 3000);
  EXPECT_EQ(a.emitted(), 3000u);
  EXPECT_GT(h.reader->queue_full(), 0u) << "the bound was never reached: the test shows nothing";
}

TEST(ReaderThread, HoldingTheSourcesLockMeansEverythingEmittedIsPosted) {
  Harness h(64 << 20);
  CountingSource& a = h.Add("a", 1000000, 50);
  h.reader->Start();
  size_t taken = 0;
  for (int round = 0; round < 200; ++round) {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(h.mu);  // what the main loop does for DurableState()
    std::deque<RecordBatch> batches;
    h.reader->Take(&batches);
    for (const RecordBatch& b : batches) {
      taken += b.items.size();
      h.reader->Release(b);
    }
    ASSERT_EQ(taken, a.emitted()) << "a record emitted but not posted while the lock is held";
  }
  h.reader->Stop();
  EXPECT_GT(taken, 0u);
}

TEST(ReaderThread, StopEndsWaitsAndIsIdempotent) {
  Harness h(1 << 10);  // one record fills it: the reader waits for room
  h.Add("a", 100, 100);
  h.reader->Start();
  std::this_thread::sleep_for(50ms);
  auto start = std::chrono::steady_clock::now();
  h.reader->Stop();
  h.reader->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  std::deque<RecordBatch> batches;
  h.reader->Take(&batches);
  size_t n = 0;
  for (const auto& b : batches) n += b.items.size();
  EXPECT_EQ(n, static_cast<const CountingSource&>(*h.sources[0]).emitted());
}

}  // namespace
}  // namespace tripline::agent
