#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

// What the agent needs from the operating system's file API, on POSIX and on Windows: positioned
// reads and writes, durable syncs, a file identity that survives renames, atomic replacement and
// glob discovery. Paths are UTF-8 everywhere (Windows: converted to UTF-16 at the call).
namespace tripline::platform {

// One open file: a descriptor on POSIX, a HANDLE on Windows. Reads and writes name their offset
// (pread/pwrite; ReadFile/WriteFile with an OVERLAPPED offset), so there is no shared position.
// On Windows every file is opened with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, so
// that IIS and Exchange can go on writing, renaming and deleting the logs the agent holds open.
//
// Lifecycle: Open() returns it; closed when destroyed. Move-only. Thread: one owner at a time.
class File {
 public:
  enum class Access {
    kRead,           // existing file, read only
    kWrite,          // created when missing, content kept
    kWriteTruncate,  // created when missing, emptied
  };

  static absl::StatusOr<File> Open(const std::string& path, Access access);

  File() = default;
  ~File();
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  bool is_open() const;
  const std::string& path() const { return path_; }

  // Up to `len` bytes at `offset`; fewer only at the end of the file.
  absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t len) const;
  // All of `data` at `offset`. A full disk (ENOSPC, EDQUOT, ERROR_DISK_FULL) is ResourceExhausted.
  [[nodiscard]] absl::Status WriteAt(uint64_t offset, std::string_view data);
  [[nodiscard]] absl::Status Truncate(uint64_t size);
  // Data (and the size) on stable storage: fdatasync, FlushFileBuffers.
  [[nodiscard]] absl::Status Sync();

  struct Info {
    uint64_t size = 0;
    bool deleted = false;  // unlinked (POSIX: no links left; Windows: delete pending)
    std::string id;        // "dev:inode" / "volume-serial:file-index", stable across renames
  };
  absl::StatusOr<Info> Stat() const;

 private:
  absl::Status Error(const char* what) const;

#ifdef _WIN32
  void* handle_ = reinterpret_cast<void*>(static_cast<intptr_t>(-1));  // INVALID_HANDLE_VALUE
#else
  int fd_ = -1;
#endif
  std::string path_;
};

// The identity (as File::Info::id) of the regular file at `path`: NotFound when it does not exist,
// FailedPrecondition when it is not a regular file.
absl::StatusOr<std::string> RegularFileId(const std::string& path);

// Renames `from` over `to` so that a crash leaves one of the two whole, then makes the rename
// durable (POSIX: fsync of the folder; Windows: MoveFileEx with MOVEFILE_WRITE_THROUGH).
[[nodiscard]] absl::Status RenameOver(const std::string& from, const std::string& to);

// True when `path` can be opened for reading (a folder: listed).
bool Readable(const std::string& path);

// The paths matching a glob (`*`, `?`, `[...]` in any component), unsorted. POSIX: glob(3);
// Windows: case-insensitive like the file system, `\` and `/` both separate components.
// `dirs_only`: folders only. A pattern that matches nothing gives an empty list.
std::vector<std::string> Glob(const std::string& pattern, bool dirs_only = false);

// Whether `text` matches the glob `pattern` as a whole (fnmatch(3) without flags on POSIX; on
// Windows case-insensitive and `\`, `/` equivalent).
bool GlobMatch(std::string_view pattern, std::string_view text);

// An absolute path: `/...` on POSIX; `C:\...`, `C:/...` or `\\server\share\...` on Windows.
bool IsAbsolutePath(std::string_view path);

#ifdef _WIN32
std::wstring Widen(std::string_view utf8);
std::string Narrow(std::wstring_view utf16);
// The system's text for a Win32 error code, as UTF-8, e.g. "Access is denied. (5)"; code 0 (a
// call that failed without setting one, as Wine's stubs do) says so.
std::string Win32ErrorText(unsigned long code);
#endif

}  // namespace tripline::platform
