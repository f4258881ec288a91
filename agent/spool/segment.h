#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline::agent {

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

// Appends frames to one segment file. Thread: the agent's main loop.
class SegmentWriter {
 public:
  ~SegmentWriter();
  // Creates the file (with its magic) or opens it for appending at `size` bytes.
  [[nodiscard]] absl::Status Open(const std::string& path, uint64_t size);
  [[nodiscard]] absl::Status Append(const SpoolRecord& record);
  [[nodiscard]] absl::Status Sync();
  void Close();
  uint64_t size() const { return size_; }

  // The frame bytes of `record` (also used by tests to forge corrupt frames).
  static std::string Frame(const SpoolRecord& record);

 private:
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
  bool dirty_ = false;
};

// Reads frames of one segment file sequentially, also while it is still being written.
// Thread: the agent's main loop.
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

 private:
  bool ReadFrameHeader(uint32_t* len, uint32_t* crc);

  int fd_ = -1;
  uint64_t offset_ = 0;
  uint64_t file_size_ = 0;
  std::string payload_;
};

}  // namespace tripline::agent
