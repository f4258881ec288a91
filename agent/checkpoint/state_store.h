#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline::agent {

// Where each source's durable state lives: one file per source, `<dir>/<source name>.state`,
// replaced atomically (common/file_util.h), so a crash leaves the old or the new state, never a
// torn one. The content is the source's own (Source::DurableState()). Thread: the agent's main
// loop.
class StateStore {
 public:
  explicit StateStore(std::string dir) : dir_(std::move(dir)) {}

  [[nodiscard]] absl::Status Init() const;
  // The saved state, or "" when the source never saved one.
  absl::StatusOr<std::string> Load(const std::string& source) const;
  [[nodiscard]] absl::Status Save(const std::string& source, std::string_view state) const;

 private:
  std::string PathOf(const std::string& source) const { return dir_ + "/" + source + ".state"; }
  std::string dir_;
};

}  // namespace tripline::agent
