#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "correlator/engine/absl_compat.h"
#include "absl/strings/str_cat.h"

namespace tripline::correlator::engine {

// Appends problems of one file as "file:line: message" (yaml-cpp marks are 0-based, so +1) to a
// caller-owned list, so that loading reports every problem at once. Lives while one file loads;
// not thread-safe.
class ErrorList {
 public:
  ErrorList(std::string file, std::vector<std::string>* errors)
      : file_(std::move(file)), errors_(errors) {}

  void Add(const YAML::Mark& mark, std::string_view message) {
    errors_->push_back(Cat(file_, ":", mark.line + 1, ": ", message));
  }
  void Add(const YAML::Node& at, std::string_view message) { Add(at.Mark(), message); }
  // For problems with no position (unreadable file).
  void AddGlobal(std::string_view message) {
    errors_->push_back(Cat(file_, ": ", message));
  }

  size_t size() const { return errors_->size(); }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<std::string>* errors_;
};

// The position of `key` itself in `map` (operator[] only gives the value's position).
inline YAML::Mark KeyMark(const YAML::Node& map, const std::string& key) {
  for (const auto& kv : map) {
    if (kv.first.Scalar() == key) return kv.first.Mark();
  }
  return map.Mark();
}

}  // namespace tripline::correlator::engine
