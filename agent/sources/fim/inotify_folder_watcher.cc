// FolderWatcher on Linux: inotify, one watch per folder (folder_watcher.h).
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/sources/fim/folder_watcher.h"

namespace tripline::agent {
namespace {

static_assert(kFimModify == IN_MODIFY && kFimCloseWrite == IN_CLOSE_WRITE &&
                  kFimMovedFrom == IN_MOVED_FROM && kFimMovedTo == IN_MOVED_TO &&
                  kFimCreate == IN_CREATE && kFimDelete == IN_DELETE &&
                  kFimDeleteSelf == IN_DELETE_SELF && kFimMoveSelf == IN_MOVE_SELF &&
                  kFimOverflow == IN_Q_OVERFLOW && kFimIsDir == IN_ISDIR,
              "kFim* bits are inotify's: events pass through undecoded");

constexpr uint32_t kMask = IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO |
                           IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

// Keys of `wds` equal to `dir` or below it.
template <typename Map, typename Fn>
void ForEachUnder(Map& wds, const std::string& dir, Fn fn) {
  std::vector<std::string> keys;
  if (wds.count(dir) != 0) keys.push_back(dir);
  for (auto it = wds.lower_bound(dir + "/"); it != wds.end() && it->first < dir + "0"; ++it) {
    keys.push_back(it->first);  // '0' is the byte after '/': the range is exactly "dir/..."
  }
  for (const std::string& key : keys) fn(key);
}

}  // namespace

FolderWatcher::FolderWatcher(size_t max_watches) : max_watches_(max_watches) {}

FolderWatcher::~FolderWatcher() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status FolderWatcher::Open() {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return absl::InternalError(std::string("inotify_init1: ") + std::strerror(errno));
  open_ = true;
  return absl::OkStatus();
}

void FolderWatcher::WatchError(std::string message) {
  ++watch_errors_;
  last_error_ = std::move(message);
}

bool FolderWatcher::Watch(const std::string& dir, bool follow) {
  if (fd_ < 0) return false;
  if (wds_.count(dir) != 0) return true;
  if (wds_.size() >= max_watches_) {
    WatchError(dir + ": watch cap of " + std::to_string(max_watches_) + " folders reached");
    return false;
  }
  uint32_t mask = kMask | (follow ? 0 : IN_DONT_FOLLOW);
  int wd = ::inotify_add_watch(fd_, dir.c_str(), mask);
  if (wd < 0) {
    WatchError(dir + ": inotify_add_watch: " + std::strerror(errno) +
               (errno == ENOSPC ? " (fs.inotify.max_user_watches)" : ""));
    return false;
  }
  auto old = paths_.find(wd);  // the same folder under another name (a rename we missed)
  if (old != paths_.end()) wds_.erase(old->second);
  paths_[wd] = dir;
  wds_[dir] = wd;
  return true;
}

bool FolderWatcher::IsWatched(const std::string& dir) const { return wds_.count(dir) != 0; }

size_t FolderWatcher::watch_count() const { return wds_.size(); }

void FolderWatcher::ForgetTree(const std::string& dir) {
  ForEachUnder(wds_, dir, [&](const std::string& key) {
    int wd = wds_[key];
    ::inotify_rm_watch(fd_, wd);  // its IN_IGNORED finds no mapping and is dropped
    paths_.erase(wd);
    wds_.erase(key);
  });
}

void FolderWatcher::RenameTree(const std::string& from, const std::string& to) {
  ForEachUnder(wds_, from, [&](const std::string& key) {
    int wd = wds_[key];
    std::string renamed = to + key.substr(from.size());
    wds_.erase(key);
    wds_[renamed] = wd;
    paths_[wd] = renamed;
  });
}

size_t FolderWatcher::Read(std::vector<Event>* out, size_t max_bytes) {
  if (fd_ < 0) return 0;
  alignas(struct inotify_event) char buf[64 * 1024];
  size_t total = 0;
  while (total < max_bytes) {
    ssize_t n = ::read(fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing queued
    Decode(buf, static_cast<size_t>(n), out);
    total += static_cast<size_t>(n);
  }
  return total;
}

void FolderWatcher::Decode(const char* buf, size_t len, std::vector<Event>* out) {
  for (size_t off = 0; off + sizeof(struct inotify_event) <= len;) {
    const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
    off += sizeof(struct inotify_event) + ev->len;
    if ((ev->mask & IN_Q_OVERFLOW) != 0) {
      out->push_back(Event{ev->mask, 0, ""});
      continue;
    }
    auto it = paths_.find(ev->wd);
    if (it == paths_.end()) continue;  // a watch already forgotten
    if ((ev->mask & IN_IGNORED) != 0) {
      wds_.erase(it->second);
      paths_.erase(it);
      continue;
    }
    std::string path = it->second;
    if (ev->len > 0) {
      path += '/';
      path += ev->name;  // NUL-terminated (and padded)
    }
    out->push_back(Event{ev->mask, ev->cookie, std::move(path)});
  }
}

}  // namespace tripline::agent
