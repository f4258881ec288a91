#pragma once

#include <string>

#include "common/status.h"

namespace tripline::config {

// What a file holds decides how strict the check of its permissions is.
enum class FileRole {
  kConfig,   // a config or rule file: nobody but its owners may change what the binary does
  kTrusted,  // a CA bundle or certificate: whoever can replace it can impersonate the peer
  kSecret,   // a private key, password or token file: as kTrusted, and it should not be readable
             // by every local user
};

// Checks the permissions of `path` (following symlinks) for a file of `role`, at config load.
//
// Error (FailedPrecondition) when the file is world-writable: any local user could rewrite the
// config, swap the CA or plant a key. The message names the file, its mode and the fix
// (`chmod o-w`), never the content. A missing file is NotFound.
// A kSecret file readable by every local user is not an error (operators copy keys around, and
// a refusal at 3 a.m. helps nobody) but `*warning` is set to say so and how to fix it; it stays
// empty otherwise. `warning` may be null.
//
// Thread-safe (reads the file's metadata only).
[[nodiscard]] absl::Status CheckFileSafety(const std::string& path, FileRole role,
                                           std::string* warning);

// "0644"-style octal of the permission bits of `mode`.
std::string ModeString(unsigned mode);

}  // namespace tripline::config
