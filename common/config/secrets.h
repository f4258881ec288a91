#pragma once

#include <optional>
#include <string>

#include "common/config/config_node.h"
#include "common/config/file_safety.h"

namespace tripline::config {

// Reads a secret that the config names but does not contain, from `node`, a mapping of one key:
//
//   {file: /etc/tripline/kafka.password}   the file's content; trailing newlines (as `echo` and
//                                          editors leave them) are removed. The path must be
//                                          absolute; a world-writable file is refused and one
//                                          readable by every local user is warned about.
//   {env: TRIPLINE_KAFKA_PASSWORD}         an environment variable of the process.
//
// Problems are reported on `node` with their positions; no message ever contains the value.
// Returns nullopt after a problem. An empty secret is a problem (a missing value).
std::optional<std::string> ReadSecret(ConfigNode node);

// Checks that `path`, named by `key` of `node`, is a readable file with safe permissions for its
// `role` (see CheckFileSafety); reports errors and warnings on `node`. An empty path is not checked.
void CheckFileKey(ConfigNode& node, const std::string& key, const std::string& path, FileRole role);

}  // namespace tripline::config
