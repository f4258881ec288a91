#pragma once

#include <cstdio>
#include <string>

#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// Appends one ECS JSON document per line to a file (for `tail -f`, jq, or a collector that
// already watches files). Flush() fflush()es and fsync()s.
class JsonlSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<JsonlSink>> Open(const std::string& path);
  ~JsonlSink() override;

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

 private:
  JsonlSink(std::string path, FILE* file);

  std::string name_ = "jsonl";
  std::string path_;
  FILE* file_;
  bool dirty_ = false;
};

}  // namespace tripline::correlator
