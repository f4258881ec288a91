#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/platform/file.h"
#include "common/status.h"

namespace tripline::spool {

// One record of the spool.
struct SpoolRecord {
  uint64_t seq = 0;
  int64_t append_time_us = 0;
  std::string key;
  std::string value;
};

// Segment file format (little endian), documented here because this is where it is written:
//
//   "TLSPOOL1"                                  8-byte magic
//   frame*                                      until the end of the file
//   frame   = u32 payload_len, u32 crc32c(payload), payload
//   payload = u64 seq, i64 append_time_us, u32 key_len, key bytes, value bytes
//
// A frame is valid when its length fits in the file and its CRC matches. The last frame of the
// newest segment may be torn by a crash; recovery truncates the file there.
inline constexpr std::string_view kSegmentMagic = "TLSPOOL1";
inline constexpr size_t kFrameHeaderBytes = 8;
inline constexpr size_t kPayloadHeaderBytes = 20;

// Appends frames to one segment file, through a write buffer: frames reach the file when the
// buffer passes 1 MiB, at Flush() and at Sync() (which also fdatasyncs). Thread-compatible: the
// owning spool's thread.
class SegmentWriter {
 public:
  ~SegmentWriter();
  // Creates the file (with its magic) or opens it for appending at `size` bytes.
  [[nodiscard]] absl::Status Open(const std::string& path, uint64_t size);
  // ResourceExhausted when the buffer is full and cannot be written (disk full): the frame is
  // not taken; earlier frames stay buffered and are written by a later call.
  [[nodiscard]] absl::Status Append(uint64_t seq, int64_t time_us, std::string_view key,
                                    std::string_view value);
  [[nodiscard]] absl::Status Flush();
  [[nodiscard]] absl::Status Sync();
  void Close();
  // Bytes of the segment including what is still buffered.
  uint64_t size() const { return flushed_ + buffer_.size(); }
  bool has_buffered() const { return !buffer_.empty(); }

  // Appends the frame bytes of one record to `out` (also used by tests to forge frames).
  static void AppendFrame(uint64_t seq, int64_t time_us, std::string_view key,
                          std::string_view value, std::string* out);

 private:
  platform::File file_;
  std::string path_;
  uint64_t flushed_ = 0;  // bytes in the file
  std::string buffer_;    // frames not yet written
  bool dirty_ = false;    // written but not fdatasync'ed
};

// Reads frames of one segment file sequentially through a 1 MiB read buffer, also while it is
// still being written. Thread-compatible: the owning spool's thread.
class SegmentReader {
 public:
  ~SegmentReader();
  [[nodiscard]] absl::Status Open(const std::string& path);
  enum class Result { kRecord, kEnd, kCorrupt };
  // kEnd: no complete frame after the current offset (yet). kCorrupt: a bad CRC or an impossible
  // length at the current offset; the reader stays there.
  Result Next(SpoolRecord* out);
  // Skips the frame at the current offset when its length is plausible (a CRC error); false when
  // the length itself is broken and the rest of the segment cannot be framed.
  bool SkipCorrupt();
  uint64_t offset() const { return offset_; }
  // Moves forward to `offset`, the start of a frame (records taken straight from the writer).
  void SkipTo(uint64_t offset) { offset_ = std::max(offset_, offset); }

 private:
  // Makes `need` bytes from offset_ available in buf_; false when the file has fewer.
  bool Fill(size_t need);
  bool FrameHeader(uint32_t* len, uint32_t* crc);

  platform::File file_;
  uint64_t offset_ = 0;      // file offset of the next frame
  std::string buf_;          // file bytes from buf_offset_
  uint64_t buf_offset_ = 0;
};

}  // namespace tripline::spool
