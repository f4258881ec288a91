#include "agent/sources/host/socket_owner_map.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <string_view>

namespace tripline::agent {
namespace {

using DirPtr = std::unique_ptr<DIR, int (*)(DIR*)>;

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

}  // namespace

SocketOwnerMap::SocketOwnerMap(std::string proc_root, size_t max_links)
    : root_(std::move(proc_root)), max_links_(max_links) {}

void SocketOwnerMap::Rebuild() {
  ++rebuilds_;
  owners_.clear();
  DirPtr dir(::opendir(root_.c_str()), ::closedir);
  if (!dir) return;
  size_t links = 0;
  while (dirent* e = ::readdir(dir.get())) {
    int64_t pid = 0;
    if (!ParseNumber(std::string_view(e->d_name), pid)) continue;
    if (!AddProcess(pid, links)) {
      ++truncated_rebuilds_;
      return;
    }
  }
}

bool SocketOwnerMap::AddProcess(int64_t pid, size_t& links) {
  std::string fd_dir = root_ + "/" + std::to_string(pid) + "/fd";
  int dfd = ::open(fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return true;  // exited, or not ours to read
  DirPtr dir(::fdopendir(dfd), ::closedir);
  if (!dir) {
    ::close(dfd);
    return true;
  }
  constexpr std::string_view kPrefix = "socket:[";
  char target[64];
  while (dirent* e = ::readdir(dir.get())) {
    if (e->d_name[0] == '.') continue;
    if (++links > max_links_) return false;
    ssize_t n = ::readlinkat(dfd, e->d_name, target, sizeof(target));
    if (n <= static_cast<ssize_t>(kPrefix.size()) + 1) continue;
    std::string_view link(target, static_cast<size_t>(n));
    if (!link.starts_with(kPrefix) || link.back() != ']') continue;
    uint64_t inode = 0;
    if (!ParseNumber(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), inode)) continue;
    auto [it, added] = owners_.emplace(inode, pid);
    if (!added && pid < it->second) it->second = pid;
  }
  return true;
}

int64_t SocketOwnerMap::Find(uint64_t inode) const {
  auto it = owners_.find(inode);
  return it == owners_.end() ? 0 : it->second;
}

}  // namespace tripline::agent
