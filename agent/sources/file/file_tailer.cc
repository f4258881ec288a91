#include "agent/sources/file/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tripline::agent {
namespace {

std::string IdOf(const struct stat& st) {
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

FileTailer::FileTailer(std::string path, size_t max_line_bytes)
    : path_(std::move(path)), max_line_bytes_(max_line_bytes) {}

FileTailer::~FileTailer() { Close(); }

void FileTailer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  file_id_.clear();
  buffer_.clear();
  skipping_ = false;
  read_offset_ = line_offset_ = 0;
}

void FileTailer::Resume(const std::string& file_id, uint64_t offset) {
  resume_id_ = file_id;
  resume_offset_ = offset;
}

bool FileTailer::OpenIfNeeded() {
  if (fd_ >= 0) return true;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  file_id_ = IdOf(st);
  read_offset_ = line_offset_ = 0;
  if (!resume_id_.empty() && resume_id_ == file_id_ &&
      static_cast<uint64_t>(st.st_size) >= resume_offset_) {
    read_offset_ = line_offset_ = resume_offset_;
  }
  resume_id_.clear();
  return true;
}

absl::Status FileTailer::ReadHead(uint64_t offset, const LineFn& on_line) {
  if (!OpenIfNeeded()) return absl::OkStatus();
  std::string head(offset, '\0');
  ssize_t n = ::pread(fd_, head.data(), head.size(), 0);
  if (n < 0) return absl::InternalError(path_ + ": read: " + std::strerror(errno));
  head.resize(static_cast<size_t>(n));
  size_t pos = 0;
  while (pos < head.size()) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string::npos) break;
    size_t len = nl - pos;
    on_line(TailedLine{std::string_view(head).substr(pos, std::min(len, max_line_bytes_)), pos,
                       nl + 1, len > max_line_bytes_});
    pos = nl + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> FileTailer::Poll(size_t max_bytes, const LineFn& on_line,
                                        const RestartFn& on_restart) {
  bool was_open = fd_ >= 0;
  if (!OpenIfNeeded()) return 0;
  if (!was_open && read_offset_ == 0) on_restart(TailRestart::kNone);

  struct stat st {};
  if (::fstat(fd_, &st) != 0) return absl::InternalError(path_ + ": fstat: " + std::strerror(errno));
  if (static_cast<uint64_t>(st.st_size) < read_offset_) {
    // Truncated in place (copytruncate): whatever was not read before the cut is gone from this
    // file; start over at 0.
    buffer_.clear();
    skipping_ = false;
    read_offset_ = line_offset_ = 0;
    on_restart(TailRestart::kTruncated);
  }

  size_t consumed = 0;
  char chunk[64 * 1024];
  while (consumed < max_bytes) {
    size_t want = std::min(sizeof chunk, max_bytes - consumed);
    ssize_t n = ::pread(fd_, chunk, want, static_cast<off_t>(read_offset_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(path_ + ": read: " + std::strerror(errno));
    }
    if (n == 0) break;
    buffer_.append(chunk, static_cast<size_t>(n));
    read_offset_ += static_cast<uint64_t>(n);
    consumed += static_cast<size_t>(n);
    EmitLines(on_line);
  }

  if (consumed == 0) {
    // At the end of this file: has the path moved on to a new file (rename rotation)?
    struct stat path_st {};
    if (::stat(path_.c_str(), &path_st) == 0 && IdOf(path_st) != file_id_) {
      Close();
      on_restart(TailRestart::kReplaced);
    }
  }
  return consumed;
}

void FileTailer::EmitLines(const LineFn& on_line) {
  size_t pos = 0;
  while (true) {
    size_t nl = buffer_.find('\n', pos);
    if (nl == std::string::npos) {
      size_t pending = buffer_.size() - pos;
      if (!skipping_ && pending > max_line_bytes_) {
        // Over-long line: return its head now, flagged, and skip to its terminator.
        on_line(TailedLine{std::string_view(buffer_).substr(pos, max_line_bytes_),
                           line_offset_ + pos, line_offset_ + buffer_.size(), true});
        skipping_ = true;
      }
      if (skipping_) pos = buffer_.size();
      break;
    }
    if (skipping_) {
      skipping_ = false;
    } else {
      size_t len = nl - pos;
      on_line(TailedLine{std::string_view(buffer_).substr(pos, std::min(len, max_line_bytes_)),
                         line_offset_ + pos, line_offset_ + nl + 1, len > max_line_bytes_});
    }
    pos = nl + 1;
  }
  buffer_.erase(0, pos);
  line_offset_ += pos;
}

}  // namespace tripline::agent
