#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace tripline::agent {

// One inotify instance watching a set of folders (not recursive by itself: the owner adds each
// sub-folder). The fd is non-blocking; Read() returns what the kernel has queued and never waits.
//
// Paths: each watch remembers the folder path it was added for; events carry full paths.
// Folder renames inside the tree must be told with RenameTree() so later events name the new
// path. IN_IGNORED (watch gone) is consumed here and forgets the watch.
//
// Bounds: at most `max_watches` folders; a refused watch (the cap, or the kernel's
// max_user_watches: ENOSPC) is counted in watch_errors() and never fatal.
//
// Lifecycle: Open() once, then Watch()/Read() from the owner's thread; closes the fd when
// destroyed. Not thread-safe; not copyable.
class InotifyWatcher {
 public:
  struct Event {
    uint32_t mask = 0;    // IN_* bits, IN_ISDIR for folders; IN_Q_OVERFLOW with an empty path
    uint32_t cookie = 0;  // pairs IN_MOVED_FROM with IN_MOVED_TO
    std::string path;
  };

  explicit InotifyWatcher(size_t max_watches) : max_watches_(max_watches) {}
  ~InotifyWatcher();
  InotifyWatcher(const InotifyWatcher&) = delete;
  InotifyWatcher& operator=(const InotifyWatcher&) = delete;

  [[nodiscard]] absl::Status Open();
  bool is_open() const { return fd_ >= 0; }

  // Watches `dir` (symlinks not followed, except for a root given as a link: `follow`).
  // True when watched (or already watched).
  bool Watch(const std::string& dir, bool follow = false);
  bool IsWatched(const std::string& dir) const { return wds_.count(dir) != 0; }
  // Removes the watches of `dir` and every folder below it.
  void ForgetTree(const std::string& dir);
  // `from` (and everything below) is now called `to`.
  void RenameTree(const std::string& from, const std::string& to);

  // Appends queued events to `out`, reading at most about `max_bytes`. Returns bytes read.
  size_t Read(std::vector<Event>* out, size_t max_bytes);

  size_t watch_count() const { return wds_.size(); }
  uint64_t watch_errors() const { return watch_errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  void Decode(const char* buf, size_t len, std::vector<Event>* out);

  size_t max_watches_;
  int fd_ = -1;
  std::unordered_map<int, std::string> paths_;  // wd -> folder
  std::map<std::string, int> wds_;              // folder -> wd, ordered for subtree ranges
  uint64_t watch_errors_ = 0;
  std::string last_error_;
};

}  // namespace tripline::agent
