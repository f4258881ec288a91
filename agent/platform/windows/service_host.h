#pragma once

#include <functional>

#include "common/status.h"

// tripline-agent as a Windows service (`--service`, the command line `service install` registers).
namespace tripline::agent::windows {

// User-defined service control (128..255 are the service's own) that reloads the sources, as
// SIGHUP does on Linux; sent by `tripline-agent service reload`.
inline constexpr unsigned long kServiceControlReload = 128;

// The agent as the service host runs it. It calls `started` once, when the agent is up (config
// loaded, spool open, sources started) and about to enter its main loop, and returns the process
// exit code (0 after a clean stop). It must stop, in the usual order, when StopSignal is raised.
using ServiceBody = std::function<int(const std::function<void()>& started)>;

// Hands this process to the service control manager (StartServiceCtrlDispatcherW) and runs `body`
// as the service, reporting its states:
//   START_PENDING (until `started`) -> RUNNING -> STOP_PENDING (from a stop, shutdown or
//   preshutdown control until `body` returns; the checkpoint advances every second while the agent
//   drains, for at most 11 minutes, longer than the largest agent.shutdown_timeout_ms)
//   -> STOPPED, with the exit code as the service-specific exit code when it is not 0, so that
//   the recovery actions `service install` sets (restart) apply to a failed agent too.
// SERVICE_CONTROL_STOP, _SHUTDOWN and _PRESHUTDOWN call StopSignal::Request(): the same ordered
// stop as SIGTERM on Linux. kServiceControlReload calls StopSignal::RequestReload(). The console
// handler (StopSignal::Install) is not used: services get CTRL_LOGOFF_EVENT at every user logoff.
//
// A service has no console: the log (spdlog's stderr sink) and std::cerr are appended to
// ServiceLogPath(); a log over 10 MiB is moved to `<path>.1` when the service starts.
//
// Threads: blocks the calling (main) thread in the dispatcher; `body` runs on the SCM's
// ServiceMain thread; controls arrive on the dispatcher (main) thread; one helper thread advances
// the checkpoint. Call at most once per process. Returns `body`'s exit code, or
// FailedPrecondition when this process was not started by the service control manager.
[[nodiscard]] absl::StatusOr<int> RunAsService(ServiceBody body);

}  // namespace tripline::agent::windows
