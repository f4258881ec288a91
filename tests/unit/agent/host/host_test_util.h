#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "agent/sources/file/file_source.h"
#include "agent/sources/source.h"

namespace tripline::agent::testing {

// Records what a source emits; can be told to refuse the next emits.
struct Collector {
  std::vector<v1::Event> events;
  int refuse = 0;  // emits to refuse before accepting again

  EmitFn Fn() {
    return [this](const v1::Event& e) -> absl::Status {
      if (refuse > 0) {
        --refuse;
        return absl::ResourceExhaustedError("spool full");
      }
      events.push_back(e);
      return absl::OkStatus();
    };
  }
};

AgentIdentity TestIdentity();

// Polls `source` until `done()` or `timeout`; sleeps a little between polls.
bool PollUntil(Source& source, Collector& out, const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(3));

// A temp folder removed (with everything below it) at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Make(const std::string& rel) const;  // mkdir -p path/rel, returns it
  void Write(const std::string& rel, const std::string& text) const;

 private:
  std::string path_;
};

// A child process started with posix_spawn, killed and reaped at destruction.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

std::string SelfExe();

}  // namespace tripline::agent::testing
