#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "agent/sources/fim/file_hasher.h"

// The few file-system calls of the FIM, one implementation per platform: fim_fs_posix.cc
// (opendir, lstat, open with O_NOFOLLOW | O_NONBLOCK) and fim_fs_win.cc (CreateFileW with every
// FILE_SHARE_* flag, so that a file IIS is still writing can be listed and hashed; directory
// listing by handle). Neither follows a link: POSIX symlinks and Windows name-surrogate reparse
// points (symbolic links, junctions, mount points) are never entered, hashed or reported.
// Paths are UTF-8. Blocking calls on the caller's thread.
namespace tripline::agent::fim_fs {

enum class EntryKind {
  kFile,    // a regular file: `stat` is set
  kFolder,  // a real folder (not a link)
  kOther,   // a link, FIFO, device, socket: skipped
};

// Calls `fn(path, kind, stat)` for each entry of `dir` but "." and "..", with `path` joined
// from `dir`; `fn` returns false to stop the listing. An entry that vanishes between listing
// and stat is skipped. Returns false when `dir` exists but cannot be listed; a `dir` that is
// gone lists as empty (true).
bool ListFolder(
    const std::string& dir,
    const std::function<bool(std::string path, EntryKind kind, const FileStat& stat)>& fn);

// A regular file opened for reading, never blocking on a FIFO or a device.
// Lifecycle: Open() once; closed when destroyed. One thread; not copyable.
class ReadOnlyFile {
 public:
  enum class Result {
    kOpened,      // `stat` set
    kMissing,     // gone, or not a regular file (a link is never followed)
    kUnreadable,  // a regular file that cannot be opened: `stat` and `error` set
  };

  ReadOnlyFile() = default;
  ~ReadOnlyFile();
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

  Result Open(const std::string& path, FileStat* stat, std::string* error);
  // Like read(2): bytes read, 0 at the end of the file, -1 on an error (`error` set).
  int64_t Read(char* buf, size_t len, std::string* error);
  // The file's stat now (after it was read). False on error.
  bool Stat(FileStat* stat) const;

 private:
#ifdef _WIN32
  void* handle_ = nullptr;
#else
  int fd_ = -1;
#endif
};

// Whether `path` exists (POSIX: access(2), following a link; Windows: the entry itself).
bool PathExists(const std::string& path);

#ifdef _WIN32
// `path` for the wide API; from 248 characters on with the \\?\ prefix (MAX_PATH does not
// apply then), so that a deep path cannot hide a file.
std::wstring WidePath(const std::string& path);
#endif

}  // namespace tripline::agent::fim_fs
