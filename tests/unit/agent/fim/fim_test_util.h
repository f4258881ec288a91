#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/sources/fim/fim_source.h"
#include "tests/support/temp_dir.h"

namespace tripline::agent {

// The China Chopper one-liner Exchange wrote into OAB .aspx files (hafnium-detection.md §1).
inline constexpr char kChopper[] =
    "<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"code\"],"
    "\"unsafe\");}</script>";

// A FimSource over a temp dir `<tmp>/www`, with its baseline in `<tmp>/data`; collects what it
// emits. Polls with bounded waits, never fixed sleeps.
class FimHarness {
 public:
  FimHarness() {
    std::filesystem::create_directories(root());
    std::filesystem::create_directories(dir_.File("data"));
    identity_.agent_id = "agent-1";
    identity_.host.set_id("host-1");
    identity_.host.set_name("exch01");
    config_.name = "webroot";
    config_.roots = {root()};
    config_.baseline_path = dir_.File("data/fim.baseline");
  }

  std::string root() const { return dir_.File("www"); }
  std::string Path(const std::string& rel) const { return root() + "/" + rel; }
  std::string Write(const std::string& rel, const std::string& text) {
    return dir_.Write("www/" + rel, text);
  }
  FimConfig& config() { return config_; }
  FimSource& source() { return *source_; }
  std::vector<v1::Event>& events() { return events_; }
  const FimIdentity& identity() const { return identity_; }

  // A new FimSource from the config (the previous one is destroyed first: a restart).
  absl::Status Start(const std::string& state = "") {
    source_.reset();
    events_.clear();
    source_ = std::make_unique<FimSource>(config_, &identity_);
    return source_->Start(state);
  }
  // Destroys the source without telling it anything is durable (a crash, as far as delivery
  // goes: the baseline keeps only what was durable).
  void Stop() { source_.reset(); }

  size_t PollOnce(size_t budget = 1 << 20) {
    auto n = source_->Poll(budget, [&](const v1::Event& e) {
      events_.push_back(e);
      return absl::OkStatus();
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : 0;
  }

  // Polls until `done()` or `timeout`. True when `done()` held.
  bool PollUntil(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      PollOnce();
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // The first collected event with this action and path, polling for it up to `timeout`.
  std::optional<v1::Event> WaitFor(v1::FileChange::Action action, const std::string& path,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    std::optional<v1::Event> found;
    PollUntil(
        [&] {
          for (const v1::Event& e : events_) {
            if (e.file().action() == action && e.file().path() == path) {
              found = e;
              return true;
            }
          }
          return false;
        },
        timeout);
    return found;
  }

  size_t Count(v1::FileChange::Action action, const std::string& path) const {
    size_t n = 0;
    for (const v1::Event& e : events_) {
      n += e.file().action() == action && e.file().path() == path;
    }
    return n;
  }

 private:
  testing::TempDir dir_;
  FimIdentity identity_;
  FimConfig config_;
  std::unique_ptr<FimSource> source_;
  std::vector<v1::Event> events_;
};

}  // namespace tripline::agent
