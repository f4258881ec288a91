#include "agent/sources/fim/fim_source.h"

#include <filesystem>

#include <spdlog/spdlog.h>

#include <algorithm>

#include <charconv>

#include "agent/sources/fim/webshell_scanner.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "common/utf8.h"

namespace tripline::agent {
namespace {

constexpr std::string_view kStatePrefix = "fim-v1 ";
constexpr size_t kMaxReady = 1024;          // decided changes waiting for the spool
constexpr size_t kPerFileCost = 4096;       // budget charged per file looked at, beyond its bytes
constexpr auto kMinSaveInterval = std::chrono::seconds(1);

// Logs the first few problems of a kind, then one in every thousand.
bool ShouldLog(uint64_t count) { return count <= 10 || count % 1000 == 0; }

// The label value of a change seen live (not by a scan).
#ifdef _WIN32
constexpr char kLiveDetector[] = "ReadDirectoryChangesW";
#else
constexpr char kLiveDetector[] = "inotify";
#endif

FimConfig Normalized(FimConfig config) {
  for (std::string& root : config.roots) root = NormalizeRoot(std::move(root));
  return config;
}

// "fim-v1 <seq>" -> seq.
bool ParseState(std::string_view state, uint64_t* seq) {
  if (state.substr(0, kStatePrefix.size()) != kStatePrefix) return false;
  state.remove_prefix(kStatePrefix.size());
  auto [end, ec] = std::from_chars(state.data(), state.data() + state.size(), *seq);
  return !state.empty() && ec == std::errc() && end == state.data() + state.size();
}

bool Differs(const BaselineEntry& a, const BaselineEntry& b) {
  return a.sha256 != b.sha256 || a.stat.size != b.stat.size || a.truncated != b.truncated;
}

}  // namespace

FimSource::FimSource(FimConfig config, const FimIdentity* identity)
    : config_(Normalized(std::move(config))),
      identity_(identity),
      filter_(config_.include_extensions, config_.exclude_globs),
      detector_(config_, &filter_, &live_) {}

FimSource::~FimSource() {
  if (started_) MaybeSaveBaseline(Clock::now(), /*force=*/true);
}

absl::Status FimSource::Start(std::string_view saved_state) {
  TRIPLINE_RETURN_IF_ERROR(ValidateFimConfig(config_, "fim source " + config_.name));
  std::error_code ec;
  std::filesystem::create_directories(FsPath(config_.baseline_path).parent_path(), ec);
  if (ec) return absl::InternalError(config_.baseline_path + ": " + ec.message());
  bool first_start = false;
  absl::Status loaded = LoadBaseline(saved_state);
  if (absl::IsNotFound(loaded)) {
    first_start = true;
  } else if (!loaded.ok()) {
    return loaded;
  }
  if (absl::Status st = detector_.Open(); !st.ok()) {
    spdlog::warn("fim {}: {}; falling back to a full scan every {} s", config_.name,
                 std::string(st.message()), config_.scan_interval.count() / 1000);
  }
  started_ = true;
  Rescan(first_start && !config_.report_existing, /*at_start=*/true);
  return absl::OkStatus();
}

// Reads the saved sequence number and the baseline file. NotFound: no baseline yet.
absl::Status FimSource::LoadBaseline(std::string_view saved_state) {
  uint64_t saved_seq = 0;
  if (!saved_state.empty() && !ParseState(saved_state, &saved_seq)) {
    return absl::InvalidArgumentError("fim " + config_.name + ": saved state not understood: " +
                                      std::string(saved_state));
  }
  absl::StatusOr<Baseline> loaded = Baseline::Load(config_.baseline_path);
  if (loaded.ok()) {
    durable_ = std::move(*loaded);
  } else if (!absl::IsNotFound(loaded.status())) {
    return loaded.status();  // a damaged baseline could hide a planted file: refuse to guess
  }
  start_seq_ = std::max(saved_seq, durable_.seq());
  durable_.set_seq(start_seq_);
  last_emitted_seq_ = start_seq_;
  // Files no longer tracked (roots or filters changed) leave the baseline without events.
  for (auto it = durable_.entries().begin(); it != durable_.entries().end();) {
    bool tracked = filter_.IncludeFile(it->first) &&
                   std::any_of(config_.roots.begin(), config_.roots.end(),
                               [&](const std::string& r) { return PathUnder(it->first, r); });
    baseline_dirty_ = baseline_dirty_ || !tracked;
    it = tracked ? std::next(it) : durable_.entries().erase(it);
  }
  live_ = durable_;
  return loaded.ok() ? absl::OkStatus() : loaded.status();
}

void FimSource::Rescan(bool silent, bool at_start) {
  ScanSummary s = detector_.Rescan(silent);
  if (!at_start) ++fim_counters_.rescans;
  next_scan_ = Clock::now() + config_.scan_interval;
  spdlog::info("fim {}: {} scan: {} files in {} folders ({} unreadable), {} to check{}",
               config_.name, at_start ? "start" : "full", s.files, s.dirs, s.failed_dirs,
               s.candidates,
               s.truncated ? ", stopped at max_files " + std::to_string(config_.max_files) : "");
  if (silent) {
    spdlog::info("fim {}: no baseline at {}: building it without reporting the {} existing "
                 "files (report_existing=false)",
                 config_.name, config_.baseline_path, s.candidates);
    silent_remaining_ = s.candidates;
    baseline_dirty_ = true;
    if (silent_remaining_ == 0) MaybeSaveBaseline(Clock::now(), /*force=*/true);
  }
  CheckWatchErrors();
}

absl::StatusOr<size_t> FimSource::Poll(size_t budget, const EmitFn& emit) {
  if (!started_) return absl::FailedPreconditionError("fim source polled before Start()");
  TRIPLINE_RETURN_IF_ERROR(Drain(emit));
  Clock::time_point now = Clock::now();
  size_t consumed = detector_.ReadEvents(now, budget);
  detector_.Settle(now);
  bool overflow = detector_.TakeRescanRequest();
  fim_counters_.overflows = detector_.overflows();
  if (overflow || rescan_requested_ || now >= next_scan_) {
    if (overflow) {
      spdlog::warn("fim {}: change queue overflowed ({} times): rescanning against the baseline",
                   config_.name, fim_counters_.overflows);
    }
    rescan_requested_ = false;
    Rescan(/*silent=*/false, /*at_start=*/false);
  }
  size_t charged = consumed;
  while (charged < budget && ready_.size() < kMaxReady) {
    std::optional<FimCandidate> c = detector_.NextDue();
    if (!c) break;
    size_t n = Process(*c);
    consumed += n;
    charged += n + kPerFileCost;
  }
  counters_.bytes += consumed;
  TRIPLINE_RETURN_IF_ERROR(Drain(emit));
  MaybeSaveBaseline(Clock::now(), /*force=*/false);
  return charged;  // > 0 whenever a file was looked at, even an empty one
}

size_t FimSource::Process(const FimCandidate& c) {
  bool script = IsScriptExtension(LowerExtension(c.path));
  FileDigest d = HashFile(c.path, config_.max_hash_bytes, script);
  const BaselineEntry* known = live_.Find(c.path);
  Report(c, d, known);
  if (c.silent && silent_remaining_ > 0 && --silent_remaining_ == 0) {
    spdlog::info("fim {}: first baseline built: {} files", config_.name, live_.entries().size());
    MaybeSaveBaseline(Clock::now(), /*force=*/true);
  }
  return d.bytes_read;
}

void FimSource::Report(const FimCandidate& c, const FileDigest& d, const BaselineEntry* known) {
  using Action = v1::FileChange;
  if (d.outcome == FileDigest::Outcome::kMissing) {
    if (const BaselineEntry* from = c.renamed_from.empty() ? nullptr : live_.Find(c.renamed_from)) {
      Queue(Action::ACTION_DELETED, c.renamed_from, BaselineEntry(*from), c, {});
    }
    if (known != nullptr) Queue(Action::ACTION_DELETED, c.path, BaselineEntry(*known), c, {});
    return;
  }
  BaselineEntry entry{d.stat, d.sha256, d.truncated};
  if (d.outcome == FileDigest::Outcome::kUnreadable) {
    ++fim_counters_.unreadable;
    ++counters_.read_errors;
    if (ShouldLog(fim_counters_.unreadable)) {
      spdlog::warn("fim {}: {}: cannot read ({}); reported without a hash", config_.name, c.path,
                   d.error);
    }
    if (known != nullptr && known->stat == d.stat) entry = *known;
  }
  if (d.truncated) {
    ++fim_counters_.hash_truncated;
    ++counters_.truncated;
  }
  if (c.silent) {
    live_.Set(c.path, entry);
    durable_.Set(c.path, std::move(entry));
    baseline_dirty_ = true;
    return;
  }
  if (!c.renamed_from.empty() && live_.Find(c.renamed_from) != nullptr) {
    Queue(Action::ACTION_RENAMED, c.path, entry, c, d.markers);
  } else if (known == nullptr) {
    Queue(Action::ACTION_CREATED, c.path, entry, c, d.markers);
  } else if (Differs(*known, entry)) {
    Queue(Action::ACTION_MODIFIED, c.path, entry, c, d.markers);
  } else {
    ApplyMetadataOnly(c.path, entry);
  }
}

// Same content, new stat (touched, chmod): nothing to report. The durable baseline may take it
// only when it already holds this very content, so no pending change can be lost by it.
void FimSource::ApplyMetadataOnly(const std::string& path, const BaselineEntry& entry) {
  live_.Set(path, entry);
  const BaselineEntry* durable = durable_.Find(path);
  if (durable != nullptr && !Differs(*durable, entry) && !(durable->stat == entry.stat)) {
    durable_.Set(path, entry);
    baseline_dirty_ = true;
  }
}

void FimSource::Queue(v1::FileChange::Action action, const std::string& path,
                      const BaselineEntry& entry, const FimCandidate& c,
                      const std::vector<std::string>& markers) {
  bool deleted = action == v1::FileChange::ACTION_DELETED;
  Change ch;
  ch.path = path;
  if (!deleted) ch.entry = entry;
  if (action == v1::FileChange::ACTION_RENAMED) ch.erase_old = c.renamed_from;
  v1::FileChange* f = ch.event.mutable_file();
  f->set_action(action);
  // File names are bytes to Linux (and WTF-8 from Windows); Event strings must be UTF-8.
  f->set_path(RepairedUtf8(path));
  f->set_name(RepairedUtf8(BaseName(path)));
  f->set_extension(RepairedUtf8(LowerExtension(path)));
  if (!ch.erase_old.empty()) f->set_old_path(RepairedUtf8(ch.erase_old));
  f->set_size(entry.stat.size);
  if (!entry.sha256.empty()) f->set_hash_sha256(entry.sha256);
  *f->mutable_mtime() = TimestampFromMicros(entry.stat.mtime_ns / 1000);
  for (const std::string& m : markers) f->add_webshell_markers(m);
  auto& labels = *ch.event.mutable_labels();
  labels["fim.detected_by"] = c.from_scan ? "scan" : kLiveDetector;
  if (entry.truncated) labels["fim.hash_truncated"] = "true";
  if (!deleted && entry.sha256.empty()) labels["fim.unreadable"] = "true";
  *ch.event.mutable_observed_time() = NowTimestamp();
  // The time of a change found by a scan is unknown; the file's mtime is the best guess.
  *ch.event.mutable_event_time() =
      c.from_scan && !deleted ? f->mtime() : ch.event.observed_time();
  if (ch.entry) {
    live_.Set(path, *ch.entry);
  } else {
    live_.Erase(path);
  }
  if (!ch.erase_old.empty()) live_.Erase(ch.erase_old);
  ready_.push_back(std::move(ch));
}

absl::Status FimSource::Drain(const EmitFn& emit) {
  while (!ready_.empty()) {
    Change& ch = ready_.front();
    uint64_t seq = last_emitted_seq_ + 1;
    FillEnvelope(ch, seq);
    TRIPLINE_RETURN_IF_ERROR(emit(ch.event));  // the same record (same seq) is retried later
    last_emitted_seq_ = seq;
    ch.seq = seq;
    ++counters_.records;
    switch (ch.event.file().action()) {
      case v1::FileChange::ACTION_CREATED: ++fim_counters_.created; break;
      case v1::FileChange::ACTION_MODIFIED: ++fim_counters_.modified; break;
      case v1::FileChange::ACTION_DELETED: ++fim_counters_.deleted; break;
      default: ++fim_counters_.renamed; break;
    }
    ch.event.Clear();  // only the baseline update is needed from here on
    inflight_.push_back(std::move(ch));
    ready_.pop_front();
  }
  return absl::OkStatus();
}

void FimSource::FillEnvelope(Change& ch, uint64_t seq) const {
  const std::string& root = RootOf(ch.path);
  v1::Event& e = ch.event;
  e.set_event_id(EventId(identity_->agent_id, "fim:" + root, seq));
  e.set_agent_id(identity_->agent_id);
  *e.mutable_host() = identity_->host;
  v1::Source* src = e.mutable_source();
  src->set_kind(v1::Source::KIND_FIM);
  src->set_name(config_.name);
  src->set_path(RepairedUtf8(ch.path));
  src->set_file_id(root);
  src->set_position(seq);
  src->set_format("fim");
}

std::string FimSource::DurableState(uint64_t count) {
  uint64_t emitted = last_emitted_seq_ - start_seq_;
  uint64_t durable = std::max(durable_.seq(), start_seq_ + std::min(count, emitted));
  while (!inflight_.empty() && inflight_.front().seq <= durable) {
    Change& ch = inflight_.front();
    if (ch.entry) {
      durable_.Set(ch.path, std::move(*ch.entry));
    } else {
      durable_.Erase(ch.path);
    }
    if (!ch.erase_old.empty()) durable_.Erase(ch.erase_old);
    inflight_.pop_front();
    baseline_dirty_ = true;
  }
  if (durable_.seq() != durable) {
    durable_.set_seq(durable);
    baseline_dirty_ = true;
  }
  MaybeSaveBaseline(Clock::now(), /*force=*/false);
  return std::string(kStatePrefix) + std::to_string(durable);
}

void FimSource::MaybeSaveBaseline(Clock::time_point now, bool force) {
  if (!baseline_dirty_ || (!force && now - last_save_ < kMinSaveInterval)) return;
  absl::Status st = durable_.Save(config_.baseline_path);
  last_save_ = now;
  if (st.ok()) {
    baseline_dirty_ = false;
  } else if (ShouldLog(++fim_counters_.baseline_save_errors)) {
    spdlog::error("fim {}: cannot save the baseline: {}", config_.name,
                  std::string(st.message()));
  }
}

void FimSource::CheckWatchErrors() {
  uint64_t errors = detector_.watch_errors();
  if (errors > fim_counters_.watch_errors) {
    spdlog::warn("fim {}: {} folders could not be watched (last: {}); they are covered by the "
                 "full scan every {} s only",
                 config_.name, errors, detector_.last_watch_error(),
                 config_.scan_interval.count() / 1000);
    fim_counters_.watch_errors = errors;
  }
}

const std::string& FimSource::RootOf(const std::string& path) const {
  for (const std::string& root : config_.roots) {
    if (PathUnder(path, root)) return root;
  }
  return config_.roots.front();
}

}  // namespace tripline::agent
