#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tripline::testing {

// A child process started by a test (the agent or correlator binary), its stdout and stderr
// captured to a file. The destructor kills it (SIGKILL) if it is still running, so a failing test
// never leaves processes behind.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Everything the process wrote so far.
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// Polls `predicate` every 50 ms until it is true or `timeout` passes.
template <typename Predicate>
bool WaitUntil(std::chrono::milliseconds timeout, Predicate predicate) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    struct timespec ts = {0, 50'000'000};
    nanosleep(&ts, nullptr);
  }
  return predicate();
}

// Waits until `process`'s output has a match of `pattern` (a regex with one group, e.g. "gRPC API
// on port ([0-9]+)") and returns the group; "" when `timeout` passed first.
std::string WaitForOutput(const Process& process, const std::string& pattern,
                          std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);
// True when something accepts TCP connections on 127.0.0.1:`port` (a receiver a test started).
bool LoopbackPortOpen(uint16_t port);
// The non-empty lines of `text` (JSON lines outputs, logs).
std::vector<std::string> NonEmptyLines(const std::string& text);

}  // namespace tripline::testing
