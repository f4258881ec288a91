#include "tests/unit/agent/host/host_test_util.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

extern char** environ;

namespace tripline::agent::testing {

AgentIdentity TestIdentity() {
  AgentIdentity id;
  id.agent_id = "agent-test";
  id.host.set_id("host-1");
  id.host.set_name("exch01");
  id.host.set_os_type("linux");
  return id;
}

bool PollUntil(Source& source, Collector& out, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto n = source.Poll(1 << 20, out.Fn());
    EXPECT_TRUE(n.ok() || absl::IsResourceExhausted(n.status())) << n.status();
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tripline-host-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Make(const std::string& rel) const {
  std::string p = path_ + "/" + rel;
  std::filesystem::create_directories(p);
  return p;
}

void TempDir::Write(const std::string& rel, const std::string& text) const {
  std::filesystem::path p = std::filesystem::path(path_) / rel;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
}

Child::Child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (::posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0) pid_ = -1;
}

Child::~Child() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace tripline::agent::testing
