#include "common/spool/segment.h"

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
  if (file_.is_open()) {
    (void)Flush();
    if (dirty_) (void)file_.Sync();
  }
  file_ = platform::File();
  buffer_.clear();
}

absl::Status SegmentWriter::Open(const std::string& path, uint64_t size) {
  Close();
  path_ = path;
  TRIPLINE_ASSIGN_OR_RETURN(file_, platform::File::Open(path, platform::File::Access::kWrite));
  flushed_ = size;
  if (size == 0) {
    flushed_ = 0;
    buffer_.assign(kSegmentMagic);
    return Flush();
  }
  return file_.Truncate(size);  // a torn tail goes
}

absl::Status SegmentWriter::Append(uint64_t seq, int64_t time_us, std::string_view key,
                                   std::string_view value) {
  constexpr size_t kFlushAt = 1 << 20;
  if (buffer_.size() >= kFlushAt) TRIPLINE_RETURN_IF_ERROR(Flush());
  AppendFrame(seq, time_us, key, value, &buffer_);
  return absl::OkStatus();
}

absl::Status SegmentWriter::Flush() {
  if (absl::Status st = file_.WriteAt(flushed_, buffer_); !st.ok()) {
    (void)file_.Truncate(flushed_);  // never leave half a frame
    return st;  // ResourceExhausted when the disk is full
  }
  flushed_ += buffer_.size();
  dirty_ |= !buffer_.empty();
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status SegmentWriter::Sync() {
  if (!file_.is_open()) return absl::OkStatus();
  TRIPLINE_RETURN_IF_ERROR(Flush());
  if (!dirty_) return absl::OkStatus();
  TRIPLINE_RETURN_IF_ERROR(file_.Sync());
  dirty_ = false;
  return absl::OkStatus();
}

SegmentReader::~SegmentReader() = default;

absl::Status SegmentReader::Open(const std::string& path) {
  TRIPLINE_ASSIGN_OR_RETURN(file_, platform::File::Open(path, platform::File::Access::kRead));
  char magic[8];
  if (auto n = file_.ReadAt(0, magic, sizeof magic); !n.ok() || *n != sizeof magic ||
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
  auto n = file_.ReadAt(buf_offset_ + old, buf_.data() + old, want);
  buf_.resize(old + (n.ok() ? *n : 0));
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
