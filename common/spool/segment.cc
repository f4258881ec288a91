#include "common/spool/segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "common/crc32c.h"

namespace tripline::spool {
namespace {

constexpr uint32_t kMaxFrameBytes = 64u << 20;

// Writes `v` little endian at `p`; returns the position after it.
char* PutLe(char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) *p++ = static_cast<char>(v >> (8 * i));
  return p;
}
uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

absl::Status Errno(const std::string& what) {
  return absl::InternalError(what + ": " + std::strerror(errno));
}

}  // namespace

void SegmentWriter::AppendFrame(uint64_t seq, int64_t time_us, std::string_view key,
                                std::string_view value, std::string* out) {
  size_t payload_len = kPayloadHeaderBytes + key.size() + value.size();
  // The fixed part in one go (this runs once per record on the agent's hot path).
  char header[kFrameHeaderBytes + kPayloadHeaderBytes];
  char* p = PutLe(header, payload_len, 4);
  p = PutLe(p, 0, 4);  // CRC, filled in below
  p = PutLe(p, seq, 8);
  p = PutLe(p, static_cast<uint64_t>(time_us), 8);
  PutLe(p, key.size(), 4);
  size_t start = out->size();
  out->append(header, sizeof header);
  out->append(key);
  out->append(value);
  uint32_t crc = Crc32c(std::string_view(*out).substr(start + kFrameHeaderBytes, payload_len));
  for (int i = 0; i < 4; ++i) (*out)[start + 4 + i] = static_cast<char>(crc >> (8 * i));
}

SegmentWriter::~SegmentWriter() { Close(); }

void SegmentWriter::Close() {
  if (fd_ >= 0) {
    (void)Flush();
    if (dirty_) ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = -1;
  buffer_.clear();
}

absl::Status SegmentWriter::Open(const std::string& path, uint64_t size) {
  Close();
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) return Errno(path + ": open");
  flushed_ = size;
  if (size == 0) {
    flushed_ = 0;
    buffer_.assign(kSegmentMagic);
    return Flush();
  }
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Errno(path + ": truncate");  // torn tail
  return absl::OkStatus();
}

absl::Status SegmentWriter::Append(uint64_t seq, int64_t time_us, std::string_view key,
                                   std::string_view value) {
  constexpr size_t kFlushAt = 1 << 20;
  if (buffer_.size() >= kFlushAt) TRIPLINE_RETURN_IF_ERROR(Flush());
  AppendFrame(seq, time_us, key, value, &buffer_);
  return absl::OkStatus();
}

absl::Status SegmentWriter::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                         static_cast<off_t>(flushed_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status st = errno == ENOSPC ? absl::ResourceExhaustedError(path_ + ": disk full")
                                        : Errno(path_ + ": write");
      (void)::ftruncate(fd_, static_cast<off_t>(flushed_));  // never leave half a frame
      return st;
    }
    done += static_cast<size_t>(n);
  }
  flushed_ += buffer_.size();
  dirty_ |= !buffer_.empty();
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status SegmentWriter::Sync() {
  if (fd_ < 0) return absl::OkStatus();
  TRIPLINE_RETURN_IF_ERROR(Flush());
  if (!dirty_) return absl::OkStatus();
  if (::fdatasync(fd_) != 0) return Errno(path_ + ": fdatasync");
  dirty_ = false;
  return absl::OkStatus();
}

SegmentReader::~SegmentReader() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status SegmentReader::Open(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Errno(path + ": open");
  char magic[8];
  if (::pread(fd_, magic, sizeof magic, 0) != 8 ||
      std::string_view(magic, 8) != kSegmentMagic) {
    return absl::DataLossError(path + ": not a spool segment");
  }
  offset_ = kSegmentMagic.size();
  return absl::OkStatus();
}

bool SegmentReader::Fill(size_t need) {
  if (buf_offset_ + buf_.size() >= offset_ + need) return true;
  // Drop what was consumed, then read at least 1 MiB more.
  size_t consumed = static_cast<size_t>(offset_ - buf_offset_);
  buf_.erase(0, consumed);
  buf_offset_ = offset_;
  size_t want = std::max<size_t>(need - buf_.size(), 1 << 20);
  size_t old = buf_.size();
  buf_.resize(old + want);
  ssize_t n = ::pread(fd_, buf_.data() + old, want, static_cast<off_t>(buf_offset_ + old));
  buf_.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
  return buf_.size() >= need;
}

bool SegmentReader::FrameHeader(uint32_t* len, uint32_t* crc) {
  if (!Fill(kFrameHeaderBytes)) return false;
  const char* p = buf_.data() + (offset_ - buf_offset_);
  *len = static_cast<uint32_t>(GetLe(p, 4));
  *crc = static_cast<uint32_t>(GetLe(p + 4, 4));
  return true;
}

SegmentReader::Result SegmentReader::Next(SpoolRecord* out) {
  uint32_t len = 0, crc = 0;
  if (!FrameHeader(&len, &crc)) return Result::kEnd;
  if (len < kPayloadHeaderBytes || len > kMaxFrameBytes) return Result::kCorrupt;
  if (!Fill(kFrameHeaderBytes + len)) return Result::kEnd;  // still being written
  std::string_view payload(buf_.data() + (offset_ - buf_offset_) + kFrameHeaderBytes, len);
  if (Crc32c(payload) != crc) return Result::kCorrupt;
  uint32_t key_len = static_cast<uint32_t>(GetLe(payload.data() + 16, 4));
  if (key_len > len - kPayloadHeaderBytes) return Result::kCorrupt;
  out->seq = GetLe(payload.data(), 8);
  out->append_time_us = static_cast<int64_t>(GetLe(payload.data() + 8, 8));
  out->key.assign(payload.substr(kPayloadHeaderBytes, key_len));
  out->value.assign(payload.substr(kPayloadHeaderBytes + key_len));
  offset_ += kFrameHeaderBytes + len;
  return Result::kRecord;
}

bool SegmentReader::SkipCorrupt() {
  uint32_t len = 0, crc = 0;
  if (!FrameHeader(&len, &crc)) return false;
  if (len < kPayloadHeaderBytes || len > kMaxFrameBytes || !Fill(kFrameHeaderBytes + len)) {
    return false;
  }
  offset_ += kFrameHeaderBytes + len;
  return true;
}

}  // namespace tripline::spool
