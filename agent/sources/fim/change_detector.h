#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "agent/sources/fim/baseline.h"
#include "agent/sources/fim/fim_config.h"
#include "agent/sources/fim/folder_watcher.h"

namespace tripline::agent {

// A path whose content may differ from the live baseline; the owner hashes it and decides.
struct FimCandidate {
  std::string path;
  std::string renamed_from;  // set when the watcher paired a move to `path`
  bool from_scan = false;    // found by a full scan (its change time is unknown)
  bool silent = false;       // first baseline build: record, do not report
};

struct ScanSummary {
  size_t files = 0;
  size_t dirs = 0;
  size_t candidates = 0;  // new, changed (by stat) or vanished
  size_t failed_dirs = 0;
  bool truncated = false;
};

// Turns watcher events (folder_watcher.h; inotify's IN_* names below) and full scans into
// FimCandidates, coalesced per path and released once the file has settled: at once on
// IN_CLOSE_WRITE / IN_DELETE / a move, or after `settle` of quiet when only IN_CREATE /
// IN_MODIFY were seen (always so on Windows, which has no IN_CLOSE_WRITE). Pairs
// IN_MOVED_FROM/IN_MOVED_TO by cookie (an unpaired half becomes a deletion or a creation),
// watches new sub-folders as they appear, and asks for a full rescan after IN_Q_OVERFLOW or when
// its own queue is full.
//
// Lifecycle: owned by FimSource; `live` (the source's live baseline) must outlive it and is
// only read. Thread: the source's (agent main loop); nothing here blocks except the folder walk
// of Rescan() and of a new sub-folder (lstat only).
class ChangeDetector {
 public:
  using Clock = std::chrono::steady_clock;

  ChangeDetector(const FimConfig& config, const PathFilter* filter, const Baseline* live);

  // No live watching (inotify unavailable): an error, and the source falls back to periodic
  // scans only.
  [[nodiscard]] absl::Status Open() { return watcher_.Open(); }

  // Walks every root, (re)adding watches, and queues files that are new, changed by stat or
  // gone compared with the live baseline. `silent` candidates build a first baseline.
  ScanSummary Rescan(bool silent);
  // Reads queued watcher events (about `max_bytes`). Returns the bytes read.
  size_t ReadEvents(Clock::time_point now, size_t max_bytes);
  // Releases settled files and resolves moves left unpaired.
  void Settle(Clock::time_point now);
  std::optional<FimCandidate> NextDue();

  // True once after an overflow (kernel queue or our own): the owner should Rescan().
  bool TakeRescanRequest() { return std::exchange(rescan_needed_, false); }
  size_t pending() const { return dirty_.size(); }
  uint64_t overflows() const { return overflows_; }
  uint64_t watch_errors() const { return watcher_.watch_errors(); }
  const std::string& last_watch_error() const { return watcher_.last_error(); }

 private:
  struct Dirty {
    Clock::time_point last;
    bool ready = false;
    bool from_scan = false;
    bool silent = false;
    std::string renamed_from;
  };
  struct Move {
    std::string path;
    bool is_dir = false;
    Clock::time_point at;
  };

  void OnEvent(const FolderWatcher::Event& ev, Clock::time_point now);
  void OnDirEvent(const FolderWatcher::Event& ev, Clock::time_point now);
  void OnFileEvent(const FolderWatcher::Event& ev, Clock::time_point now);
  void OnMovedTo(const std::string& path, bool is_dir, uint32_t cookie, Clock::time_point now);
  Dirty* Note(const std::string& path, Clock::time_point now);
  void MarkReady(const std::string& path, Clock::time_point now, bool from_scan = false,
                 bool silent = false);
  void MarkRenamed(const std::string& from, const std::string& to, Clock::time_point now);
  void MarkTreeGone(const std::string& dir, Clock::time_point now);
  void AddTree(const std::string& dir, Clock::time_point now);
  void RenameTree(const std::string& from, const std::string& to, Clock::time_point now);
  bool IsRoot(const std::string& path) const;
  bool InExcludedFolder(const std::string& path) const;
  void ScanRoot(const std::string& root, bool silent, ScanSummary* summary);

  const FimConfig& config_;
  const PathFilter* filter_;
  const Baseline* live_;
  FolderWatcher watcher_;
  std::map<std::string, Dirty> dirty_;  // path -> coalesced activity, bounded by max_files
  std::deque<std::string> due_;         // paths of ready entries, in the order they got ready
  std::unordered_map<uint32_t, Move> moves_;  // cookie -> IN_MOVED_FROM waiting for its pair
  bool rescan_needed_ = false;
  uint64_t overflows_ = 0;
};

}  // namespace tripline::agent
