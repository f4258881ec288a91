#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline::agent {

// One complete line read from a file.
struct TailedLine {
  std::string_view text;  // without the line terminator; valid only during the callback
  uint64_t offset = 0;      // byte offset of the line's first byte
  uint64_t end_offset = 0;  // byte offset just past its terminator: where reading resumes
  bool truncated = false;   // the line was longer than the maximum and was cut
};

// Why the tailer started the file over, so that header-driven parsers can Reset().
enum class TailRestart { kNone, kTruncated, kReplaced };

// Follows one file path the way `tail -F` does, with positions a checkpoint can hold.
//
// Thread: owned and called by one source thread. Polling, not blocking: Poll() reads what is
// there (bounded) and returns. The last line is held until its terminator arrives. Rotation by
// rename+create: the old file is drained to its end before the new one is opened at offset 0.
// Truncation (copytruncate): reading restarts at 0. Lines longer than the maximum are cut,
// flagged and the rest of the line skipped.
class FileTailer {
 public:
  FileTailer(std::string path, size_t max_line_bytes);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Resumes at `offset` if the file at the path still has identity `file_id` and is at least
  // that long; otherwise starts from the head. Called once, before the first Poll().
  void Resume(const std::string& file_id, uint64_t offset);

  using LineFn = std::function<void(const TailedLine&)>;
  using RestartFn = std::function<void(TailRestart)>;
  // Reads at most `max_bytes` new bytes, calling `on_line` for each complete line in order.
  // Returns the number of bytes consumed (0 when there was nothing new). A missing file is not an
  // error (it may not exist yet); other I/O errors are.
  absl::StatusOr<size_t> Poll(size_t max_bytes, const LineFn& on_line, const RestartFn& on_restart);

  // Identity of the open file ("dev:inode"), empty while none is open.
  const std::string& file_id() const { return file_id_; }
  // Offset of the first byte not yet returned as part of a complete line.
  uint64_t line_offset() const { return line_offset_; }
  const std::string& path() const { return path_; }
  // Reads the head of the open file up to `offset` and calls `on_line` for each line: used to
  // replay header directives into a parser when resuming mid-file.
  absl::Status ReadHead(uint64_t offset, const LineFn& on_line);

 private:
  bool OpenIfNeeded();
  void Close();
  void EmitLines(const LineFn& on_line);

  std::string path_;
  size_t max_line_bytes_;
  int fd_ = -1;
  std::string file_id_;
  uint64_t read_offset_ = 0;  // next byte to read from fd_
  uint64_t line_offset_ = 0;  // offset of buffer_[0]
  std::string buffer_;        // bytes read but not yet returned as complete lines
  bool skipping_ = false;     // inside the tail of a cut over-long line
  std::string resume_id_;
  uint64_t resume_offset_ = 0;
};

}  // namespace tripline::agent
