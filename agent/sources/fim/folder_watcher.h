#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace tripline::agent {

// Event bits: inotify's values, so that the Linux watcher passes the kernel's masks through
// unchanged (inotify_folder_watcher.cc checks they agree); the Windows watcher builds them from
// ReadDirectoryChangesW's actions (rdcw_notify.h).
inline constexpr uint32_t kFimModify = 0x00000002;      // IN_MODIFY
inline constexpr uint32_t kFimCloseWrite = 0x00000008;  // IN_CLOSE_WRITE (Linux only)
inline constexpr uint32_t kFimMovedFrom = 0x00000040;   // IN_MOVED_FROM
inline constexpr uint32_t kFimMovedTo = 0x00000080;     // IN_MOVED_TO
inline constexpr uint32_t kFimCreate = 0x00000100;      // IN_CREATE
inline constexpr uint32_t kFimDelete = 0x00000200;      // IN_DELETE
inline constexpr uint32_t kFimDeleteSelf = 0x00000400;  // IN_DELETE_SELF: a watched folder went
inline constexpr uint32_t kFimMoveSelf = 0x00000800;    // IN_MOVE_SELF (Linux only)
inline constexpr uint32_t kFimOverflow = 0x00004000;    // IN_Q_OVERFLOW: events were lost
inline constexpr uint32_t kFimIsDir = 0x40000000;       // IN_ISDIR: the path is a folder

struct FolderEvent {
  uint32_t mask = 0;    // kFim* bits, kFimIsDir for folders; kFimOverflow with an empty path
  uint32_t cookie = 0;  // pairs kFimMovedFrom with kFimMovedTo
  std::string path;
};

// The live change feed of the FIM: the folders it is told to Watch(), read without blocking.
//
// Linux (inotify_folder_watcher.cc): one inotify instance, one watch per folder (not recursive
// by itself: the owner adds each sub-folder, as the tree walk meets it). The fd is non-blocking.
// Windows (rdcw_folder_watcher.cc): one directory handle per watched root with an overlapped
// ReadDirectoryChangesW over its whole subtree, polled with GetOverlappedResult(bWait=FALSE);
// Watch() of a folder below an open root is a cheap "already covered". Neither waits in Read().
//
// Paths: each watch remembers the folder path it was added for; events carry full paths.
// Folder renames inside the tree must be told with RenameTree() so later events name the new
// path. A watch that ends (IN_IGNORED; a failed ReadDirectoryChangesW) is forgotten here.
//
// Bounds: at most `max_watches` watches (Windows: root handles); a refused watch (the cap, the
// kernel's max_user_watches: ENOSPC, a folder that cannot be opened) is counted in
// watch_errors() and never fatal.
//
// Lifecycle: Open() once, then Watch()/Read() from the owner's thread; releases the fd or the
// handles (cancelling pending reads) when destroyed. Not thread-safe; not copyable.
class FolderWatcher {
 public:
  using Event = FolderEvent;
  // Windows watches a whole subtree with one handle: events arrive for every folder below a
  // root, excluded ones included, so the owner filters by folder (ChangeDetector).
#ifdef _WIN32
  static constexpr bool kWatchesSubtrees = true;
#else
  static constexpr bool kWatchesSubtrees = false;
#endif

  explicit FolderWatcher(size_t max_watches);
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  [[nodiscard]] absl::Status Open();
  bool is_open() const { return open_; }

  // Watches `dir` (symlinks not followed, except for a root given as a link: `follow`).
  // True when watched (or already watched).
  bool Watch(const std::string& dir, bool follow = false);
  bool IsWatched(const std::string& dir) const;
  // Removes the watches of `dir` and every folder below it.
  void ForgetTree(const std::string& dir);
  // `from` (and everything below) is now called `to`.
  void RenameTree(const std::string& from, const std::string& to);

  // Appends queued events to `out`, reading at most about `max_bytes`. Returns bytes read.
  size_t Read(std::vector<Event>* out, size_t max_bytes);

  size_t watch_count() const;
  uint64_t watch_errors() const { return watch_errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  void WatchError(std::string message);

  size_t max_watches_;
  bool open_ = false;
  uint64_t watch_errors_ = 0;
  std::string last_error_;
#ifdef _WIN32
  struct Root;  // a directory handle, its OVERLAPPED and buffer (rdcw_folder_watcher.cc)
  Root* RootOf(const std::string& dir) const;
  bool OpenRoot(const std::string& dir, bool follow);
  bool SameFolderStillThere(const Root& root) const;
  bool Drain(Root& root, std::vector<Event>* out, size_t* bytes, size_t max_bytes);
  void Translate(Root& root, size_t len, std::vector<Event>* out);
  void OnRootFailed(const std::string& dir, std::vector<Event>* out);

  std::map<std::string, std::unique_ptr<Root>> roots_;  // root folder -> its handle
  // Folders seen by Watch() below the roots: a removed or renamed path is a folder when listed
  // here (the notification does not say). Bounded by the folders the tree walks visit.
  std::set<std::string> folders_;
  std::map<std::string, int64_t> failed_at_;  // root -> steady seconds of its last failure
  uint32_t next_cookie_ = 0;
#else
  void Decode(const char* buf, size_t len, std::vector<Event>* out);

  int fd_ = -1;
  std::unordered_map<int, std::string> paths_;  // wd -> folder
  std::map<std::string, int> wds_;              // folder -> wd, ordered for subtree ranges
#endif
};

}  // namespace tripline::agent
