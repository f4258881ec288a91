#pragma once

#include <atomic>
#include <chrono>

namespace tripline {

// Process-wide stop request raised by SIGINT or SIGTERM, and reload request raised by SIGHUP.
// Install() is called once from main before threads start; the main loop polls StopRequested() or
// waits with WaitForStop(). The handler only stores to an atomic (async-signal-safe). A second
// signal while stopping exits at once.
// Windows console: Ctrl+C and Ctrl+Break stop (twice: exit at once); closing the console window,
// logoff and shutdown stop too, and their handler then holds the process until main returns
// (the system ends the process as soon as that handler returns). A console has no SIGHUP: a
// service reloads with `tripline-agent service reload` (control 128, which calls
// RequestReload()). A service must not call Install(): services receive CTRL_LOGOFF_EVENT
// whenever any user logs off; the service host calls Request() on SERVICE_CONTROL_STOP.
class StopSignal {
 public:
  static void Install();
  static bool StopRequested();
  // Sleeps up to `timeout`, returning early (true) when a stop was requested.
  static bool WaitForStop(std::chrono::milliseconds timeout);
  // For tests and for components that decide to stop the process themselves.
  static void Request();
  // True once per SIGHUP (or RequestReload()) since the last call (reload the configuration).
  static bool TakeReloadRequest();
  // The same as a SIGHUP, for platforms without one (the Windows service's reload control).
  static void RequestReload();
};

}  // namespace tripline
