#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/platform/file.h"
#include "common/status.h"

namespace tripline::agent {

// One complete line read from a file, as valid UTF-8.
struct TailedLine {
  std::string_view text;    // without the line terminator; valid only during the callback
  uint64_t offset = 0;      // byte offset of the line's first byte in the file
  uint64_t end_offset = 0;  // byte offset just past its terminator: where reading resumes
  bool truncated = false;   // the line was longer than the maximum and was cut
  // Ill-formed UTF-8 sequences (UTF-16 files: unpaired surrogates, a stray odd byte) that were
  // replaced by U+FFFD in `text`; 0 for a clean line.
  size_t encoding_errors = 0;
};

enum class FileEncoding { kAuto, kUtf8, kUtf16Le };

// Reads one open file from a position onwards and splits it into lines.
//
// The file is opened once, by path, and then followed through its descriptor: a rename does not
// disturb it, and a deleted file is read to its end. The tailer does not look for replacements
// (FileSource's discovery does). The last line is held until its terminator arrives. Lines
// longer than the maximum are cut (never inside a character), flagged, and the rest of the line
// skipped. UTF-16LE files (BOM FF FE, or configured) are converted to UTF-8 per line; a UTF-8 BOM
// is dropped; offsets are always raw byte offsets. Lines are always handed out as valid UTF-8
// (protobuf string fields require it): what is ill-formed becomes U+FFFD and is counted in
// TailedLine::encoding_errors.
// Thread: owned and used by one source on the agent's main loop.
class FileTailer {
 public:
  FileTailer(std::string path, size_t max_line_bytes, FileEncoding encoding);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Opens the file (NotFound when it is gone).
  [[nodiscard]] absl::Status Open();
  // Continues at `offset` (a line boundary from a checkpoint) instead of the head.
  void Seek(uint64_t offset);

  using LineFn = std::function<absl::Status(const TailedLine&)>;
  // Reads at most `max_bytes` new bytes and calls `on_line` per complete line, in order. An error
  // from `on_line` stops the poll; that line is returned again by the next poll. Returns the
  // number of bytes read.
  absl::StatusOr<size_t> Poll(size_t max_bytes, const LineFn& on_line);

  // Starts over at offset 0 (after truncation or a changed head): pending bytes are dropped.
  void Restart();

  // Reads up to `len` bytes at `offset` (for fingerprints); fewer at the end of the file.
  absl::StatusOr<std::string> ReadAt(uint64_t offset, size_t len) const;

  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  // Identity of the open file: "dev:inode" (POSIX), "volume-serial:file-index" (Windows).
  const std::string& inode_id() const { return inode_id_; }
  // The file's encoding (kAuto is resolved by Open()).
  FileEncoding encoding() const { return encoding_; }
  // Offset of the first byte not yet returned as part of a complete line (resume point).
  uint64_t line_offset() const { return line_offset_; }
  // Current size of the open file, and whether it was unlinked (POSIX: no links left; Windows:
  // delete pending), both from the open handle.
  absl::StatusOr<uint64_t> Size() const;
  bool Deleted() const;

 private:
  absl::Status EmitLines(const LineFn& on_line);
  size_t FindTerminator(size_t from) const;
  absl::Status Emit(const LineFn& on_line, size_t start, size_t len, size_t end, bool truncated);

  std::string path_;
  size_t max_line_bytes_;
  FileEncoding encoding_;
  platform::File file_;  // Windows: opened with FILE_SHARE_READ | WRITE | DELETE
  std::string inode_id_;
  uint64_t read_offset_ = 0;  // next byte to read from fd_
  uint64_t line_offset_ = 0;  // file offset of buffer_[0]
  // Bytes read but not yet returned as complete lines: the first used_ bytes of buffer_, which
  // only grows (reads go straight into it: no copy, no zero-filling per read).
  std::string buffer_;
  size_t used_ = 0;
  std::string_view Pending() const { return std::string_view(buffer_.data(), used_); }
  bool skipping_ = false;     // inside the rest of a cut over-long line
  std::string utf8_;          // scratch for UTF-16 conversion and UTF-8 repair
};

// Appends the UTF-8 form of UTF-16LE `in` to `out`; unpaired surrogates and a last odd byte
// become U+FFFD. Returns how many were replaced.
size_t Utf16LeToUtf8(std::string_view in, std::string* out);

}  // namespace tripline::agent
