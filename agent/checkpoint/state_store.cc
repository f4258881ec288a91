#include "agent/checkpoint/state_store.h"

#include <filesystem>

#include "common/file_util.h"

namespace tripline::agent {

absl::Status StateStore::Init() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::InternalError("state dir " + dir_ + ": " + ec.message());
  return absl::OkStatus();
}

absl::StatusOr<std::string> StateStore::Load(const std::string& source) const {
  auto data = ReadWholeFile(PathOf(source));
  if (absl::IsNotFound(data.status())) return std::string();
  return data;
}

absl::Status StateStore::Save(const std::string& source, std::string_view state) const {
  return WriteFileAtomically(PathOf(source), state);
}

}  // namespace tripline::agent
