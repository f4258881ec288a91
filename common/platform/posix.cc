#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/platform/file.h"
#include "common/platform/system.h"
#include "common/platform/wakeup.h"

namespace tripline::platform {
namespace {

bool DiskFull(int err) {
#ifdef EDQUOT
  if (err == EDQUOT) return true;
#endif
  return err == ENOSPC;
}

std::string IdOf(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

absl::StatusOr<File> File::Open(const std::string& path, Access access) {
  int flags = O_CLOEXEC;
  switch (access) {
    case Access::kRead: flags |= O_RDONLY; break;
    case Access::kWrite: flags |= O_WRONLY | O_CREAT; break;
    case Access::kWriteTruncate: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
  }
  File f;
  f.path_ = path;
  f.fd_ = ::open(path.c_str(), flags, 0640);
  if (f.fd_ < 0) {
    std::string message = path + ": open: " + std::strerror(errno);
    if (errno == ENOENT) return absl::NotFoundError(message);
    return DiskFull(errno) ? absl::ResourceExhaustedError(message) : absl::InternalError(message);
  }
  return f;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

bool File::is_open() const { return fd_ >= 0; }

absl::Status File::Error(const char* what) const {
  std::string message = path_ + ": " + what + ": " + std::strerror(errno);
  return DiskFull(errno) ? absl::ResourceExhaustedError(message) : absl::InternalError(message);
}

absl::StatusOr<size_t> File::ReadAt(uint64_t offset, char* buf, size_t len) const {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error("read");
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

absl::Status File::WriteAt(uint64_t offset, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error("write");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status File::Truncate(uint64_t size) {
  return ::ftruncate(fd_, static_cast<off_t>(size)) == 0 ? absl::OkStatus() : Error("truncate");
}

absl::Status File::Sync() { return ::fdatasync(fd_) == 0 ? absl::OkStatus() : Error("fdatasync"); }

absl::StatusOr<File::Info> File::Stat() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Error("fstat");
  return Info{static_cast<uint64_t>(st.st_size), st.st_nlink == 0, IdOf(st)};
}

absl::StatusOr<std::string> RegularFileId(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError(path + ": not a regular file");
  return IdOf(st);
}

absl::Status RenameOver(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return absl::InternalError(to + ": rename: " + std::strerror(errno));
  }
  std::string dir = std::filesystem::path(to).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

bool Readable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return ::access(path.c_str(), S_ISDIR(st.st_mode) ? (R_OK | X_OK) : R_OK) == 0;
}

std::vector<std::string> Glob(const std::string& pattern, bool dirs_only) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_NOSORT | (dirs_only ? GLOB_ONLYDIR : 0), nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      struct stat st {};
      // GLOB_ONLYDIR is only a hint to glob(3).
      if (dirs_only && (::stat(g.gl_pathv[i], &st) != 0 || !S_ISDIR(st.st_mode))) continue;
      out.emplace_back(g.gl_pathv[i]);
    }
  }
  ::globfree(&g);
  return out;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path.front() == '/'; }

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) != 0; }

Wakeup::~Wakeup() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status Wakeup::Open() {
  fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd_ < 0) return absl::InternalError(std::string("eventfd: ") + std::strerror(errno));
  return absl::OkStatus();
}

void Wakeup::Signal() {
  uint64_t one = 1;
  (void)!::write(fd_, &one, sizeof one);
}

bool Wakeup::Wait(std::chrono::milliseconds timeout) {
  pollfd fd{fd_, POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  uint64_t n = 0;
  (void)!::read(fd_, &n, sizeof n);
  return true;
}

}  // namespace tripline::platform
