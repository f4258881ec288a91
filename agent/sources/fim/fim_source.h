#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "agent/sources/fim/baseline.h"
#include "agent/sources/fim/change_detector.h"
#include "agent/sources/fim/fim_config.h"
#include "agent/sources/source.h"

namespace tripline::agent {

// FIM-specific counts, beside the generic SourceCounters.
struct FimCounters {
  uint64_t created = 0;
  uint64_t modified = 0;
  uint64_t deleted = 0;
  uint64_t renamed = 0;
  uint64_t rescans = 0;         // full scans after the first (periodic, overflow, asked for)
  uint64_t overflows = 0;       // IN_Q_OVERFLOW (Windows: a lost batch), or our queue full
  uint64_t watch_errors = 0;    // folders that could not be watched (cap, max_user_watches,
                                // a Windows root handle that failed)
  uint64_t unreadable = 0;      // files reported without a hash
  uint64_t hash_truncated = 0;  // files hashed up to max_hash_bytes only
  uint64_t baseline_save_errors = 0;
};

// File integrity monitoring of folders (DESIGN.md §3, hafnium-detection.md §4): reports files
// created, modified, renamed and deleted below `roots`, with SHA-256, size, mtime and web-shell
// markers, as FileChange events.
//
// Live changes come from inotify, or ReadDirectoryChangesW on Windows (folder_watcher.h; read
// without blocking inside Poll(); no thread), labelled fim.detected_by=inotify (Windows:
// ReadDirectoryChangesW). A hashed baseline on disk (baseline.h) makes changes made while the
// agent was stopped visible at the next Start(), and a periodic full rescan catches whatever
// the watcher missed (queue overflow, folders past the watch cap).
//
// Delivery: event N of this source has id EventId(agent_id, "fim:" + root, N), N increasing
// across restarts. The baseline entry describing a change is written to disk only when
// DurableState() says its event is durable, so a crash before that reports the change again at
// the next start; nothing is lost. The state string is "fim-v1 <last durable N>".
//
// Lifecycle and thread: as for every Source: Start() once, then Poll()/DurableState() from the
// agent main loop only. The destructor writes the durable baseline if it changed since the last
// save (saves are otherwise at most one per second). `identity` is not owned and must outlive
// the source.
class FimSource final : public Source {
 public:
  FimSource(FimConfig config, const FimIdentity* identity);
  ~FimSource() override;

  const std::string& name() const override { return config_.name; }
  [[nodiscard]] absl::Status Start(std::string_view saved_state) override;
  [[nodiscard]] absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }

  // Walks every root again at the next Poll() and reports what differs from the baseline (for
  // an operator's "rescan now"; the source also does it on overflow and every scan_interval).
  void RequestRescan() { rescan_requested_ = true; }
  const FimCounters& fim_counters() const { return fim_counters_; }

 private:
  using Clock = std::chrono::steady_clock;

  // A decided change: its event (without the sequence-dependent fields) and the baseline
  // update to apply once the event is durable.
  struct Change {
    v1::Event event;
    std::string path;
    std::optional<BaselineEntry> entry;  // nullopt: erase `path`
    std::string erase_old;               // renames: the old path
    uint64_t seq = 0;
  };

  absl::Status LoadBaseline(std::string_view saved_state);
  void Rescan(bool silent, bool at_start);
  size_t Process(const FimCandidate& c);
  void Report(const FimCandidate& c, const FileDigest& d, const BaselineEntry* known);
  void Queue(v1::FileChange::Action action, const std::string& path, const BaselineEntry& entry,
             const FimCandidate& c, const std::vector<std::string>& markers);
  void ApplyMetadataOnly(const std::string& path, const BaselineEntry& entry);
  absl::Status Drain(const EmitFn& emit);
  void FillEnvelope(Change& change, uint64_t seq) const;
  void MaybeSaveBaseline(Clock::time_point now, bool force);
  void CheckWatchErrors();
  const std::string& RootOf(const std::string& path) const;

  FimConfig config_;
  const FimIdentity* identity_;
  PathFilter filter_;
  Baseline durable_;  // what durable events describe; the file on disk
  Baseline live_;     // plus every change already decided (emitted or about to be)
  ChangeDetector detector_;
  std::deque<Change> ready_;     // decided, not yet emitted (head is retried after an error)
  std::deque<Change> inflight_;  // emitted, not yet durable
  uint64_t start_seq_ = 0;       // last durable sequence number at Start()
  uint64_t last_emitted_seq_ = 0;
  uint64_t silent_remaining_ = 0;  // first-baseline files still to hash
  bool baseline_dirty_ = false;
  bool rescan_requested_ = false;
  bool started_ = false;
  Clock::time_point last_save_{};
  Clock::time_point next_scan_{};
  SourceCounters counters_;
  FimCounters fim_counters_;
};

}  // namespace tripline::agent
