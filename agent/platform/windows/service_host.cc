#include "agent/platform/windows/service_host.h"

#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "agent/platform/windows/known_paths.h"
#include "common/platform/file.h"
#include "common/signals.h"

namespace tripline::agent::windows {
namespace {

constexpr DWORD kWaitHintMs = 10'000;  // checkpoints come every second, well inside this
constexpr auto kCheckpointEvery = std::chrono::seconds(1);
constexpr auto kMaxPending = std::chrono::minutes(11);  // > agent.shutdown_timeout_ms's maximum
constexpr uintmax_t kLogRotateBytes = 10u << 20;

// Points the log and std::cerr at the service log: spdlog's console sink writes to
// GetStdHandle(STD_ERROR_HANDLE), std::cerr to its stream buffer. (The C runtime's stderr cannot
// be moved there reliably: freopen fails on a stream that never had a console, as in a service.)
// Best effort: a service without a log still runs. Both stay open for the life of the process.
void RedirectStderrToServiceLog() {
  const std::filesystem::path log = platform::Widen(ServiceLogPath());
  std::error_code ec;
  std::filesystem::create_directories(log.parent_path(), ec);
  uintmax_t size = std::filesystem::file_size(log, ec);
  if (!ec && size > kLogRotateBytes) {
    MoveFileExW(log.c_str(), (log.wstring() + L".1").c_str(), MOVEFILE_REPLACE_EXISTING);
  }
  // FILE_APPEND_DATA alone: every write lands at the end, whoever else appends.
  HANDLE h = CreateFileW(log.c_str(), FILE_APPEND_DATA,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h != INVALID_HANDLE_VALUE) SetStdHandle(STD_ERROR_HANDLE, h);
  auto* buf = new std::filebuf;  // never freed: std::cerr may be used until the very end
  if (buf->open(log, std::ios::app)) {
    std::cerr.rdbuf(buf);
  } else {
    delete buf;
  }
}

// The one service this process runs. The SCM's callbacks carry no context for ServiceMain, hence
// the file-level pointer below; controls get `this` through RegisterServiceCtrlHandlerExW.
// Lifecycle: lives on RunAsService's stack for the whole dispatcher call.
// Threads: Main() on the SCM's ServiceMain thread, Control() on the dispatcher thread, Pump() on
// its own; every SetServiceStatus goes through Report(), under mu_.
class ServiceHost {
 public:
  explicit ServiceHost(ServiceBody body) : body_(std::move(body)) {}

  void Main(DWORD argc, LPWSTR* argv);
  DWORD Control(DWORD control);
  bool ran() const { return ran_; }
  int exit_code() const { return exit_code_; }

 private:
  // Moves to `state` (a pending state restarts the checkpoint count) and tells the SCM.
  void Report(DWORD state, int exit_code = 0);
  // Advances the checkpoint of a pending state every second, for at most kMaxPending.
  void Pump();

  ServiceBody body_;
  SERVICE_STATUS_HANDLE handle_ = nullptr;
  // Written by Main(); read after the dispatcher returned.
  bool ran_ = false;
  int exit_code_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  SERVICE_STATUS status_{};                              // guarded by mu_
  std::chrono::steady_clock::time_point pending_since_;  // guarded by mu_
  bool done_ = false;                                    // guarded by mu_
};

ServiceHost* g_host = nullptr;

void WINAPI ServiceMain(DWORD argc, LPWSTR* argv) { g_host->Main(argc, argv); }

DWORD WINAPI OnControl(DWORD control, DWORD, void*, void* context) {
  return static_cast<ServiceHost*>(context)->Control(control);
}

void ServiceHost::Main(DWORD argc, LPWSTR* argv) {
  ran_ = true;
  RedirectStderrToServiceLog();
  // argv[0] is the name the service was installed under (`service install --name`).
  const wchar_t* name = argc > 0 ? argv[0] : L"";
  handle_ = RegisterServiceCtrlHandlerExW(name, OnControl, this);
  if (handle_ == nullptr) {
    std::cerr << "tripline-agent: cannot register the service control handler: "
              << platform::Win32ErrorText(GetLastError()) << "\n";
    exit_code_ = 1;
    return;
  }
  Report(SERVICE_START_PENDING);
  std::thread pump([this] { Pump(); });
  exit_code_ = body_([this] { Report(SERVICE_RUNNING); });
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  wake_.notify_all();
  pump.join();
  // The last report: the SCM may end the process as soon as it sees STOPPED.
  Report(SERVICE_STOPPED, exit_code_);
}

DWORD ServiceHost::Control(DWORD control) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN:
      Report(SERVICE_STOP_PENDING);
      StopSignal::Request();
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;  // the SCM answers with the last reported status
    case kServiceControlReload:
      StopSignal::RequestReload();
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void ServiceHost::Report(DWORD state, int exit_code) {
  std::lock_guard lock(mu_);
  // A stop control racing with the agent's own end must not bring STOPPED back to pending.
  if (status_.dwCurrentState == SERVICE_STOPPED && state != SERVICE_STOPPED) return;
  if (status_.dwCurrentState == state && state == SERVICE_STOP_PENDING) return;  // second stop
  status_.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status_.dwCurrentState = state;
  // Controls are refused while pending (the SCM would not send them anyway) and once stopped.
  status_.dwControlsAccepted =
      state == SERVICE_RUNNING
          ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN
          : 0;
  const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
  status_.dwCheckPoint = pending ? 1 : 0;
  status_.dwWaitHint = pending ? kWaitHintMs : 0;
  status_.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
  status_.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
  pending_since_ = std::chrono::steady_clock::now();
  SetServiceStatus(handle_, &status_);
}

void ServiceHost::Pump() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, kCheckpointEvery, [this] { return done_; })) {
    const DWORD state = status_.dwCurrentState;
    if (state != SERVICE_START_PENDING && state != SERVICE_STOP_PENDING) continue;
    // Past kMaxPending the agent is stuck, not draining: let the SCM's hang detection see it.
    if (std::chrono::steady_clock::now() - pending_since_ > kMaxPending) continue;
    ++status_.dwCheckPoint;
    SetServiceStatus(handle_, &status_);
  }
}

}  // namespace

absl::StatusOr<int> RunAsService(ServiceBody body) {
  ServiceHost host(std::move(body));
  g_host = &host;
  // The name is ignored for a SERVICE_WIN32_OWN_PROCESS service (ServiceMain gets the real one).
  wchar_t name[] = L"TriplineAgent";
  SERVICE_TABLE_ENTRYW table[] = {{name, ServiceMain}, {nullptr, nullptr}};
  const bool dispatched = StartServiceCtrlDispatcherW(table);
  const DWORD err = GetLastError();
  g_host = nullptr;
  // Wine's dispatcher returns at once, successfully, in a process it did not start: the same
  // mistake as Windows' ERROR_FAILED_SERVICE_CONTROLLER_CONNECT.
  if ((dispatched && !host.ran()) ||
      (!dispatched && err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)) {
    return absl::FailedPreconditionError(
        "--service is for the service control manager; run `tripline-agent service start` "
        "(or without --service, in this console)");
  }
  if (!dispatched) {
    return absl::InternalError("StartServiceCtrlDispatcher: " + platform::Win32ErrorText(err));
  }
  return host.exit_code();
}

}  // namespace tripline::agent::windows
