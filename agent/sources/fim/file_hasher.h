#pragma once

#include <cstdint>
#include <string>
#include <vector>

#ifndef _WIN32
struct stat;
#endif

namespace tripline::agent {

// What lstat(2) says about a regular file; the baseline compares these before hashing again.
// Windows: LastWriteTime and ChangeTime (FileStatFromWindows), the same from a folder listing
// and from an open handle, so that a scan does not see every file as changed.
struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // since the Unix epoch
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
// device: anything that is not a regular file is kMissing (fim_fs.h). Blocking file I/O on the
// caller's thread, bounded by `max_bytes`.
FileDigest HashFile(const std::string& path, uint64_t max_bytes, bool scan_markers);

#ifndef _WIN32
FileStat FileStatOf(const struct stat& st);
#endif
// From Windows' 100 ns ticks since 1601-01-01 (FILETIME, LARGE_INTEGER times).
FileStat FileStatFromWindows(uint64_t size, int64_t last_write_time, int64_t change_time);

// lstat(2) of a regular file (Windows: not a link); false for anything else or on error.
bool StatRegularFile(const std::string& path, FileStat* stat);

}  // namespace tripline::agent
