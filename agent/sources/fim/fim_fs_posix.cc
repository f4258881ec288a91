// fim_fs.h on POSIX: dirent + lstat, open(2) with O_NOFOLLOW | O_NONBLOCK.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "agent/sources/fim/fim_fs.h"
#include "agent/sources/fim/fim_path.h"

namespace tripline::agent {

FileStat FileStatOf(const struct stat& st) {
  FileStat out;
  out.size = static_cast<uint64_t>(st.st_size);
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  out.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return out;
}

bool StatRegularFile(const std::string& path, FileStat* stat) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *stat = FileStatOf(st);
  return true;
}

namespace fim_fs {
namespace {

struct CloseDir {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, CloseDir>;

}  // namespace

bool ListFolder(
    const std::string& dir,
    const std::function<bool(std::string path, EntryKind kind, const FileStat& stat)>& fn) {
  DirPtr d(::opendir(dir.c_str()));
  if (!d) return errno == ENOENT;  // gone meanwhile: nothing below it any more
  while (struct dirent* ent = ::readdir(d.get())) {
    if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0) continue;
    std::string path = JoinPath(dir, ent->d_name);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;  // vanished meanwhile
    EntryKind kind = S_ISDIR(st.st_mode)   ? EntryKind::kFolder
                     : S_ISREG(st.st_mode) ? EntryKind::kFile
                                           : EntryKind::kOther;
    FileStat stat = kind == EntryKind::kFile ? FileStatOf(st) : FileStat{};
    if (!fn(std::move(path), kind, stat)) return true;
  }
  return true;
}

ReadOnlyFile::~ReadOnlyFile() {
  if (fd_ >= 0) ::close(fd_);
}

ReadOnlyFile::Result ReadOnlyFile::Open(const std::string& path, FileStat* stat,
                                        std::string* error) {
  // O_NONBLOCK: a FIFO planted in the tree must not hang the agent; O_NOFOLLOW: no symlinks.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd_ < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return Result::kMissing;
    *error = std::strerror(errno);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return Result::kMissing;
    *stat = FileStatOf(st);
    return Result::kUnreadable;
  }
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return Result::kMissing;
  *stat = FileStatOf(st);
  return Result::kOpened;
}

int64_t ReadOnlyFile::Read(char* buf, size_t len, std::string* error) {
  while (true) {
    ssize_t n = ::read(fd_, buf, len);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    *error = std::strerror(errno);
    return -1;
  }
}

bool ReadOnlyFile::Stat(FileStat* stat) const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  *stat = FileStatOf(st);
  return true;
}

bool PathExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace fim_fs
}  // namespace tripline::agent
