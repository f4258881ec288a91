#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/sources/source.h"
#include "common/platform/wakeup.h"

namespace tripline::agent {

// Records serialized by the reading thread, in the order their sources emitted them.
struct RecordBatch {
  struct Item {
    uint32_t source;  // index into the agent's sources
    uint32_t key_offset, key_size, value_offset, value_size;
  };
  std::string bytes;
  std::vector<Item> items;
  size_t next = 0;  // items before this one were taken by the main loop

  std::string_view key(const Item& it) const {
    return std::string_view(bytes).substr(it.key_offset, it.key_size);
  }
  std::string_view value(const Item& it) const {
    return std::string_view(bytes).substr(it.value_offset, it.value_size);
  }
};

// Polls the agent's sources on a thread of its own and hands their records, serialized, to the
// main loop, which appends them to the spool. Reading, parsing and serializing (most of the
// agent's work per line) thus run beside spooling, syncing and acknowledging instead of taking
// turns with them.
//
// Sources stay single-threaded: the reader holds `sources_mu` while it polls one source, and the
// main loop takes it for everything else it asks of a source (DurableState at a sync, counters
// and lag for metrics, a rebuild on SIGHUP). Every record a source emitted is posted before the
// lock is released, so the main loop, holding it, finds all of them in the queue.
//
// Back-pressure: once `max_queued_bytes` wait in the queue, a source's emit is refused
// (ResourceExhausted: the source hands the record again at its next poll) and the reader waits
// for the main loop to release some. Queued records are neither durable nor counted as read (the
// main loop counts, per source, what it appended), so dropping them is safe whenever the sources
// are rebuilt or destroyed right after: their saved positions lie before those records.
//
// Threads: Start(), Stop(), Take(), Release() and the main-loop side of the queue belong to the
// main loop; Run() is the reading thread. `posted` is signalled after every post.
class ReaderThread {
 public:
  ReaderThread(std::vector<std::unique_ptr<Source>>* sources, std::mutex* sources_mu,
               platform::Wakeup* posted, std::chrono::milliseconds poll_interval,
               size_t max_queued_bytes = 4 << 20);
  ~ReaderThread();
  ReaderThread(const ReaderThread&) = delete;
  ReaderThread& operator=(const ReaderThread&) = delete;

  void Start();
  // Ends the current poll and joins the thread (idempotent). Everything emitted is posted.
  void Stop();

  // Moves the posted batches to the end of `out`.
  void Take(std::deque<RecordBatch>* out);
  // A batch taken earlier is consumed (appended, or dropped): its bytes no longer count against
  // the bound.
  void Release(const RecordBatch& batch);

  // Bytes posted and not yet released.
  size_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }
  // Polls cut short because the queue was at its bound.
  uint64_t queue_full() const { return queue_full_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Polls source `i` under the sources' lock; returns the input it consumed, 0 when refused.
  size_t PollOne(size_t i, bool* refused);
  absl::Status Emit(uint32_t source, const v1::Event& event);
  void Post();

  std::vector<std::unique_ptr<Source>>* const sources_;
  std::mutex* const sources_mu_;
  platform::Wakeup* const posted_;
  const std::chrono::milliseconds poll_interval_;
  const size_t max_queued_bytes_;

  // Reading thread state.
  RecordBatch open_;

  std::mutex mu_;  // guards inbox_ and stop_; cv_ wakes the reader (room, stop)
  std::condition_variable cv_;
  std::deque<RecordBatch> inbox_;
  bool stop_ = false;
  std::atomic<size_t> queued_bytes_{0};
  std::atomic<uint64_t> queue_full_{0};

  std::thread thread_;
};

}  // namespace tripline::agent
