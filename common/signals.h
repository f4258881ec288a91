#pragma once

#include <atomic>
#include <chrono>

namespace tripline {

// Process-wide stop request raised by SIGINT or SIGTERM, and reload request raised by SIGHUP. Install() is called once from main before
// threads start; the main loop polls StopRequested() or waits with WaitForStop(). The handler only
// stores to an atomic (async-signal-safe). A second signal while stopping exits at once.
class StopSignal {
 public:
  static void Install();
  static bool StopRequested();
  // Sleeps up to `timeout`, returning early (true) when a stop was requested.
  static bool WaitForStop(std::chrono::milliseconds timeout);
  // For tests and for components that decide to stop the process themselves.
  static void Request();
  // True once per SIGHUP received since the last call (reload the configuration).
  static bool TakeReloadRequest();
};

}  // namespace tripline
