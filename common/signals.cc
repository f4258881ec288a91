#include "common/signals.h"

#include <csignal>
#include <thread>
#include <unistd.h>

namespace tripline {
namespace {

std::atomic<int> g_stop{0};
std::atomic<bool> g_reload{false};

void OnHangup(int) { g_reload.store(true); }

void OnSignal(int) {
  if (g_stop.fetch_add(1) >= 1) _exit(130);  // second signal: the user insists
}

}  // namespace

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

bool StopSignal::StopRequested() { return g_stop.load(std::memory_order_relaxed) > 0; }

void StopSignal::Request() { g_stop.store(1); }

bool StopSignal::TakeReloadRequest() { return g_reload.exchange(false); }

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
