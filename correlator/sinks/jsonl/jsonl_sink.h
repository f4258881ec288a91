#pragma once

#include <cstdio>
#include <string>

#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// Appends one ECS JSON document per line to a file (for `tail -f`, jq, or a collector that
// already watches files); Flush() fflush()es and fsync()s. Or writes them to standard output
// (the `stdout` sink, for a pipe into jq or a container's log collector); Flush() fflush()es.
class JsonlSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<JsonlSink>> Open(const std::string& path);
  // The `stdout` sink: standard output, not owned, not fsync()ed.
  static std::unique_ptr<JsonlSink> Stdout();
  ~JsonlSink() override;

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;
  bool local() const override { return true; }

 private:
  JsonlSink(std::string name, std::string path, FILE* file, bool owned);

  std::string name_;
  std::string path_;
  FILE* file_;
  bool owned_;  // a file of ours: closed and fsync()ed
  bool dirty_ = false;
};

}  // namespace tripline::correlator
