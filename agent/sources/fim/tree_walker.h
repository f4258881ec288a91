#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "agent/sources/fim/fim_config.h"
#include "agent/sources/fim/file_hasher.h"

namespace tripline::agent {

struct WalkResult {
  std::map<std::string, FileStat> files;  // regular files that pass the filter
  std::vector<std::string> failed_dirs;   // could not be listed: what is below is unknown
  size_t dirs = 0;
  bool truncated = false;                 // stopped at max_files: the picture is incomplete
};

// Lists the regular files below `root` (recursively, lstat only: no hashing, symlinks and
// Windows junctions neither followed nor reported; fim_fs.h). `on_dir` is called for each folder
// before it is listed, so a watch added there sees every file created after the listing.
// Blocking, on the caller's thread; memory bounded by `max_files`.
WalkResult WalkTree(const std::string& root, const PathFilter& filter, size_t max_files,
                    const std::function<void(const std::string& dir)>& on_dir);

}  // namespace tripline::agent
