#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct stat;

namespace tripline::agent {

// What lstat(2) says about a regular file; the baseline compares these before hashing again.
struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;  // cannot be set from user space: catches a content change + timestomp
  bool operator==(const FileStat&) const = default;
};

struct FileDigest {
  enum class Outcome {
    kHashed,      // sha256 (of the first max_bytes) and markers are set
    kMissing,     // gone, or no longer a regular file (symlinks are never followed)
    kUnreadable,  // exists but cannot be read: `stat` is set, `sha256` empty, `error` says why
  };
  Outcome outcome = Outcome::kMissing;
  FileStat stat;
  std::string sha256;                // lower-case hex
  bool truncated = false;            // the file is bigger than max_bytes: hash covers a prefix
  std::vector<std::string> markers;  // web-shell markers (only when scanning was asked for)
  uint64_t bytes_read = 0;
  std::string error;
};

// Hashes a regular file (SHA-256 of at most `max_bytes`) and, when `scan_markers`, looks for
// web-shell markers in the same pass. Never follows a symlink and never blocks on a FIFO or a
// device: anything that is not a regular file is kMissing. Blocking file I/O on the caller's
// thread, bounded by `max_bytes`.
FileDigest HashFile(const std::string& path, uint64_t max_bytes, bool scan_markers);

FileStat FileStatOf(const struct stat& st);

// lstat(2) of a regular file; false for anything else or on error.
bool StatRegularFile(const std::string& path, FileStat* stat);

}  // namespace tripline::agent
