#include "common/signals.h"

#include <csignal>
#include <thread>
#include <unistd.h>
#ifdef _WIN32
#include <windows.h>
#endif

namespace tripline {
namespace {

std::atomic<int> g_stop{0};
std::atomic<bool> g_reload{false};

#ifdef _WIN32
// Runs on a thread the system creates for each console event (not a signal context).
BOOL WINAPI OnConsoleEvent(DWORD type) {
  switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
      if (g_stop.fetch_add(1) >= 1) _exit(130);  // second Ctrl+C: the user insists
      return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      g_stop.fetch_add(1);
      // Returning ends the process at once; sleeping lets the ordered stop finish: main returning
      // ends the process (and this thread), or the system's own deadline (about 5 s for a console
      // close, more at shutdown) does. Never longer than a minute, should the system allow it.
      Sleep(60'000);
      return TRUE;
    default:
      return FALSE;
  }
}

#else
void OnHangup(int) { g_reload.store(true); }

void OnSignal(int) {
  if (g_stop.fetch_add(1) >= 1) _exit(130);  // second signal: the user insists
}
#endif

}  // namespace

#ifdef _WIN32
void StopSignal::Install() { SetConsoleCtrlHandler(OnConsoleEvent, TRUE); }
#else
void StopSignal::Install() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  struct sigaction hup = {};
  hup.sa_handler = OnHangup;
  sigemptyset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, nullptr);
  signal(SIGPIPE, SIG_IGN);
}
#endif

bool StopSignal::StopRequested() { return g_stop.load(std::memory_order_relaxed) > 0; }

void StopSignal::Request() { g_stop.store(1); }

bool StopSignal::TakeReloadRequest() { return g_reload.exchange(false); }

void StopSignal::RequestReload() { g_reload.store(true); }

bool StopSignal::WaitForStop(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!StopRequested()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(deadline - now,
                                                                   std::chrono::milliseconds(20)));
  }
  return true;
}

}  // namespace tripline
