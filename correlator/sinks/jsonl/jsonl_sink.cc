#include "correlator/sinks/jsonl/jsonl_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tripline::correlator {

absl::StatusOr<std::unique_ptr<JsonlSink>> JsonlSink::Open(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) return absl::InternalError(path + ": " + std::strerror(errno));
  return std::unique_ptr<JsonlSink>(new JsonlSink("jsonl", path, f, true));
}

std::unique_ptr<JsonlSink> JsonlSink::Stdout() {
  return std::unique_ptr<JsonlSink>(new JsonlSink("stdout", "standard output", stdout, false));
}

JsonlSink::JsonlSink(std::string name, std::string path, FILE* file, bool owned)
    : name_(std::move(name)), path_(std::move(path)), file_(file), owned_(owned) {}

JsonlSink::~JsonlSink() {
  (void)Flush(std::chrono::milliseconds(0));
  if (owned_) std::fclose(file_);
}

absl::Status JsonlSink::Write(const v1::Alert&, const std::string& ecs_json) {
  if (std::fwrite(ecs_json.data(), 1, ecs_json.size(), file_) != ecs_json.size() ||
      std::fputc('\n', file_) == EOF) {
    return absl::InternalError(path_ + ": write: " + std::strerror(errno));
  }
  dirty_ = true;
  return absl::OkStatus();
}

absl::Status JsonlSink::Flush(std::chrono::milliseconds) {
  if (!dirty_) return absl::OkStatus();
  if (std::fflush(file_) != 0 || (owned_ && ::fsync(fileno(file_)) != 0)) {
    return absl::InternalError(path_ + ": flush: " + std::strerror(errno));
  }
  dirty_ = false;
  return absl::OkStatus();
}

}  // namespace tripline::correlator
