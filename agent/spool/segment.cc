#include "agent/spool/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/crc32c.h"

namespace tripline::agent {
namespace {

constexpr uint32_t kMaxFrameBytes = 64u << 20;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
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

std::string SegmentWriter::Frame(const SpoolRecord& r) {
  std::string payload;
  payload.reserve(kPayloadHeaderBytes + r.key.size() + r.value.size());
  PutU64(&payload, r.seq);
  PutU64(&payload, static_cast<uint64_t>(r.append_time_us));
  PutU32(&payload, static_cast<uint32_t>(r.key.size()));
  payload += r.key;
  payload += r.value;
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  PutU32(&frame, static_cast<uint32_t>(payload.size()));
  PutU32(&frame, Crc32c(payload));
  frame += payload;
  return frame;
}

SegmentWriter::~SegmentWriter() { Close(); }

void SegmentWriter::Close() {
  if (fd_ >= 0) {
    if (dirty_) ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = -1;
}

absl::Status SegmentWriter::Open(const std::string& path, uint64_t size) {
  Close();
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) return Errno(path + ": open");
  if (size == 0) {
    if (::pwrite(fd_, kSegmentMagic.data(), kSegmentMagic.size(), 0) !=
        static_cast<ssize_t>(kSegmentMagic.size())) {
      return Errno(path + ": write");
    }
    size = kSegmentMagic.size();
    dirty_ = true;
  } else if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {  // drop a torn tail
    return Errno(path + ": truncate");
  }
  size_ = size;
  return absl::OkStatus();
}

absl::Status SegmentWriter::Append(const SpoolRecord& record) {
  std::string frame = Frame(record);
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::pwrite(fd_, frame.data() + done, frame.size() - done,
                         static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status st = errno == ENOSPC ? absl::ResourceExhaustedError(path_ + ": disk full")
                                        : Errno(path_ + ": write");
      (void)::ftruncate(fd_, static_cast<off_t>(size_));  // never leave half a frame
      return st;
    }
    done += static_cast<size_t>(n);
  }
  size_ += frame.size();
  dirty_ = true;
  return absl::OkStatus();
}

absl::Status SegmentWriter::Sync() {
  if (!dirty_ || fd_ < 0) return absl::OkStatus();
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

bool SegmentReader::ReadFrameHeader(uint32_t* len, uint32_t* crc) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  file_size_ = static_cast<uint64_t>(st.st_size);
  char header[kFrameHeaderBytes];
  if (offset_ + kFrameHeaderBytes > file_size_ ||
      ::pread(fd_, header, sizeof header, static_cast<off_t>(offset_)) != sizeof header) {
    return false;
  }
  *len = static_cast<uint32_t>(GetLe(header, 4));
  *crc = static_cast<uint32_t>(GetLe(header + 4, 4));
  return true;
}

SegmentReader::Result SegmentReader::Next(SpoolRecord* out) {
  uint32_t len = 0, crc = 0;
  if (!ReadFrameHeader(&len, &crc)) return Result::kEnd;
  if (len < kPayloadHeaderBytes || len > kMaxFrameBytes) return Result::kCorrupt;
  if (offset_ + kFrameHeaderBytes + len > file_size_) return Result::kEnd;  // being written
  payload_.resize(len);
  if (::pread(fd_, payload_.data(), len, static_cast<off_t>(offset_ + kFrameHeaderBytes)) !=
      static_cast<ssize_t>(len)) {
    return Result::kEnd;
  }
  if (Crc32c(payload_) != crc) return Result::kCorrupt;
  uint32_t key_len = static_cast<uint32_t>(GetLe(payload_.data() + 16, 4));
  if (key_len > len - kPayloadHeaderBytes) return Result::kCorrupt;
  out->seq = GetLe(payload_.data(), 8);
  out->append_time_us = static_cast<int64_t>(GetLe(payload_.data() + 8, 8));
  out->key.assign(payload_, kPayloadHeaderBytes, key_len);
  out->value.assign(payload_, kPayloadHeaderBytes + key_len, std::string::npos);
  offset_ += kFrameHeaderBytes + len;
  return Result::kRecord;
}

bool SegmentReader::SkipCorrupt() {
  uint32_t len = 0, crc = 0;
  if (!ReadFrameHeader(&len, &crc)) return false;
  if (len < kPayloadHeaderBytes || len > kMaxFrameBytes ||
      offset_ + kFrameHeaderBytes + len > file_size_) {
    return false;
  }
  offset_ += kFrameHeaderBytes + len;
  return true;
}

}  // namespace tripline::agent
