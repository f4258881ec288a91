#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tripline::correlator {

// A fixed set of worker threads that run one job at a time, all together: RunOnAll(fn) calls
// fn(0) ... fn(n-1), each on its own worker (fn(0) on the caller's thread), and returns when all
// have returned. Whatever a worker touched in fn is visible to the caller afterwards, and what
// the caller wrote before is visible to the workers (the hand-off goes through a mutex), so state
// that only worker w touches inside fn needs no lock of its own. With one worker no thread is
// started. Thread-compatible: RunOnAll() from one thread at a time.
class WorkerPool {
 public:
  explicit WorkerPool(int workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void RunOnAll(const std::function<void(int)>& fn);
  int size() const { return static_cast<int>(threads_.size()) + 1; }

 private:
  void Loop(int index);

  std::vector<std::thread> threads_;  // workers 1 .. n-1
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t generation_ = 0;  // one per RunOnAll()
  int running_ = 0;
  bool stop_ = false;
};

}  // namespace tripline::correlator
