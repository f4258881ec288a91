#pragma once

#include <chrono>

#include "common/status.h"

namespace tripline::platform {

// Wakes one sleeping thread from any thread (or from a librdkafka callback): an eventfd on Linux,
// an auto-reset event on Windows. Signals that arrive while nobody waits are kept (coalesced into
// one), so a signal is never lost between a check and the wait.
//
// Lifecycle: Open() once before use; closed when destroyed. Thread: Signal() from any thread;
// Wait() from the one owning thread.
class Wakeup {
 public:
  Wakeup() = default;
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  [[nodiscard]] absl::Status Open();
  void Signal();
  // Sleeps until signalled (true) or until `timeout` passes (false); consumes the signal.
  bool Wait(std::chrono::milliseconds timeout);

 private:
#ifdef _WIN32
  void* event_ = nullptr;
#else
  int fd_ = -1;
#endif
};

}  // namespace tripline::platform
