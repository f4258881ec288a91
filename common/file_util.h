#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline {

// Replaces `path` with `data` so that a crash leaves either the old or the new content, never a
// torn file: write `<path>.tmp`, fsync it, rename it over `path`, fsync the folder. A full disk
// (ENOSPC, EDQUOT) is ResourceExhausted; `path` then keeps its old content.
[[nodiscard]] absl::Status WriteFileAtomically(const std::string& path, std::string_view data);

// The whole file; NotFound when it does not exist.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace tripline
