#include "agent/sources/fim/change_detector.h"

#include <set>
#include <vector>

#include "agent/sources/fim/fim_fs.h"
#include "agent/sources/fim/tree_walker.h"

namespace tripline::agent {
namespace {

// An IN_MOVED_FROM whose IN_MOVED_TO has not come after this long left the watched trees.
constexpr auto kMovePairWindow = std::chrono::milliseconds(100);

}  // namespace

ChangeDetector::ChangeDetector(const FimConfig& config, const PathFilter* filter,
                               const Baseline* live)
    : config_(config), filter_(filter), live_(live), watcher_(config.max_watches) {}

ScanSummary ChangeDetector::Rescan(bool silent) {
  ScanSummary summary;
  for (const std::string& root : config_.roots) ScanRoot(root, silent, &summary);
  return summary;
}

void ChangeDetector::ScanRoot(const std::string& root, bool silent, ScanSummary* summary) {
  Clock::time_point now = Clock::now();
  WalkResult walk;
  if (fim_fs::PathExists(root)) {  // a missing root: everything it held is gone
    walk = WalkTree(root, *filter_, config_.max_files,
                    [&](const std::string& dir) { watcher_.Watch(dir, dir == root); });
  }
  summary->files += walk.files.size();
  summary->dirs += walk.dirs;
  summary->failed_dirs += walk.failed_dirs.size();
  summary->truncated = summary->truncated || walk.truncated;
  for (const auto& [path, stat] : walk.files) {
    const BaselineEntry* known = live_->Find(path);
    if (known == nullptr || !(known->stat == stat)) {
      MarkReady(path, now, /*from_scan=*/true, silent);
      ++summary->candidates;
    }
  }
  if (walk.truncated) return;  // an incomplete picture says nothing about what is gone
  for (auto it = live_->entries().lower_bound(root); it != live_->entries().end(); ++it) {
    const std::string& path = it->first;
    if (!PathUnder(path, root)) {
      if (path.compare(0, root.size(), root) != 0) break;  // past every "root..." key
      continue;
    }
    if (walk.files.count(path) != 0) continue;
    bool unknown = false;
    for (const std::string& dir : walk.failed_dirs) unknown = unknown || PathUnder(path, dir);
    if (unknown) continue;
    MarkReady(path, now, /*from_scan=*/true);
    ++summary->candidates;
  }
}

size_t ChangeDetector::ReadEvents(Clock::time_point now, size_t max_bytes) {
  std::vector<FolderWatcher::Event> events;
  size_t n = watcher_.Read(&events, max_bytes);
  for (const FolderWatcher::Event& ev : events) OnEvent(ev, now);
  return n;
}

void ChangeDetector::OnEvent(const FolderWatcher::Event& ev, Clock::time_point now) {
  if ((ev.mask & kFimOverflow) != 0) {
    ++overflows_;
    rescan_needed_ = true;
    return;
  }
  if ((ev.mask & (kFimDeleteSelf | kFimMoveSelf)) != 0) {
    // Sub-folders are handled through their parent's IN_DELETE / IN_MOVED_*; a root itself
    // vanished: everything below is gone until a later rescan finds it again.
    if (IsRoot(ev.path)) {
      watcher_.ForgetTree(ev.path);
      MarkTreeGone(ev.path, now);
    }
    return;
  }
  // inotify watches only the folders the filter let in; a subtree watch reports them all.
  if (FolderWatcher::kWatchesSubtrees && InExcludedFolder(ev.path)) return;
  if ((ev.mask & kFimIsDir) != 0) {
    OnDirEvent(ev, now);
  } else {
    OnFileEvent(ev, now);
  }
}

void ChangeDetector::OnDirEvent(const FolderWatcher::Event& ev, Clock::time_point now) {
  if ((ev.mask & kFimMovedFrom) != 0) {
    moves_[ev.cookie] = Move{ev.path, true, now};
  } else if ((ev.mask & kFimMovedTo) != 0) {
    OnMovedTo(ev.path, true, ev.cookie, now);
  } else if ((ev.mask & kFimCreate) != 0) {
    if (filter_->IncludeDir(ev.path)) AddTree(ev.path, now);
  } else if ((ev.mask & kFimDelete) != 0) {
    watcher_.ForgetTree(ev.path);
    MarkTreeGone(ev.path, now);
  }
}

void ChangeDetector::OnFileEvent(const FolderWatcher::Event& ev, Clock::time_point now) {
  if ((ev.mask & kFimMovedFrom) != 0) {
    moves_[ev.cookie] = Move{ev.path, false, now};
    return;
  }
  if ((ev.mask & kFimMovedTo) != 0) {
    OnMovedTo(ev.path, false, ev.cookie, now);
    return;
  }
  if (!filter_->IncludeFile(ev.path)) return;
  if ((ev.mask & (kFimCloseWrite | kFimDelete)) != 0) {
    MarkReady(ev.path, now);
  } else if ((ev.mask & (kFimCreate | kFimModify)) != 0) {
    Note(ev.path, now);  // still being written: wait for IN_CLOSE_WRITE or quiet
  }
}

void ChangeDetector::OnMovedTo(const std::string& path, bool is_dir, uint32_t cookie,
                               Clock::time_point now) {
  auto it = moves_.find(cookie);
  if (it == moves_.end()) {  // moved in from outside the watched trees
    if (is_dir) {
      if (filter_->IncludeDir(path)) AddTree(path, now);
    } else if (filter_->IncludeFile(path)) {
      MarkReady(path, now);
    }
    return;
  }
  Move from = std::move(it->second);
  moves_.erase(it);
  if (is_dir) {
    RenameTree(from.path, path, now);
  } else if (filter_->IncludeFile(path)) {
    MarkRenamed(from.path, path, now);
  } else {
    MarkReady(from.path, now);  // renamed to a name we do not track: gone for us
  }
}

void ChangeDetector::Settle(Clock::time_point now) {
  for (auto it = moves_.begin(); it != moves_.end();) {
    if (now - it->second.at < kMovePairWindow) {
      ++it;
      continue;
    }
    if (it->second.is_dir) {  // moved out of the watched trees
      watcher_.ForgetTree(it->second.path);
      MarkTreeGone(it->second.path, now);
    } else {
      MarkReady(it->second.path, now);
    }
    it = moves_.erase(it);
  }
  for (auto& [path, d] : dirty_) {
    if (!d.ready && now - d.last >= config_.settle) {
      d.ready = true;
      due_.push_back(path);
    }
  }
}

std::optional<FimCandidate> ChangeDetector::NextDue() {
  while (!due_.empty()) {
    std::string path = std::move(due_.front());
    due_.pop_front();
    auto it = dirty_.find(path);
    if (it == dirty_.end() || !it->second.ready) continue;  // renamed away meanwhile
    FimCandidate c{std::move(path), std::move(it->second.renamed_from), it->second.from_scan,
                   it->second.silent};
    dirty_.erase(it);
    return c;
  }
  return std::nullopt;
}

ChangeDetector::Dirty* ChangeDetector::Note(const std::string& path, Clock::time_point now) {
  auto it = dirty_.find(path);
  if (it == dirty_.end()) {
    if (dirty_.size() >= config_.max_files) {  // bounded: a rescan will find what we drop
      rescan_needed_ = true;
      ++overflows_;
      return nullptr;
    }
    it = dirty_.emplace(path, Dirty{}).first;
  }
  it->second.last = now;
  return &it->second;
}

void ChangeDetector::MarkReady(const std::string& path, Clock::time_point now, bool from_scan,
                               bool silent) {
  bool fresh = dirty_.count(path) == 0;
  Dirty* d = Note(path, now);
  if (d == nullptr) return;
  d->from_scan = fresh ? from_scan : d->from_scan && from_scan;
  d->silent = fresh ? silent : d->silent;  // a first-baseline entry stays silent
  if (!d->ready) {
    d->ready = true;
    due_.push_back(path);
  }
}

void ChangeDetector::MarkRenamed(const std::string& from, const std::string& to,
                                 Clock::time_point now) {
  std::string origin = from;
  bool silent = false;
  if (auto it = dirty_.find(from); it != dirty_.end()) {  // chain a->b->c: report a->c
    if (!it->second.renamed_from.empty()) origin = it->second.renamed_from;
    silent = it->second.silent;
    dirty_.erase(it);
  }
  bool fresh = dirty_.count(to) == 0;
  MarkReady(to, now, false, silent);
  if (auto it = dirty_.find(to); it != dirty_.end()) {
    it->second.renamed_from = origin;
    if (fresh) it->second.silent = silent;
  }
}

void ChangeDetector::MarkTreeGone(const std::string& dir, Clock::time_point now) {
  std::set<std::string> paths;
  for (auto it = live_->entries().lower_bound(dir); it != live_->entries().end(); ++it) {
    if (it->first.compare(0, dir.size(), dir) != 0) break;
    if (PathUnder(it->first, dir)) paths.insert(it->first);
  }
  for (const auto& [path, d] : dirty_) {
    if (PathUnder(path, dir)) paths.insert(path);
  }
  for (const std::string& path : paths) MarkReady(path, now);
}

void ChangeDetector::AddTree(const std::string& dir, Clock::time_point now) {
  WalkResult walk = WalkTree(dir, *filter_, config_.max_files,
                             [&](const std::string& d) { watcher_.Watch(d); });
  for (const auto& [path, stat] : walk.files) MarkReady(path, now);
}

void ChangeDetector::RenameTree(const std::string& from, const std::string& to,
                                Clock::time_point now) {
  watcher_.RenameTree(from, to);
  std::set<std::string> moved;  // a path may be both known and dirty: rename it once
  for (auto it = live_->entries().lower_bound(from); it != live_->entries().end(); ++it) {
    if (it->first.compare(0, from.size(), from) != 0) break;
    if (PathUnder(it->first, from)) moved.insert(it->first);
  }
  for (const auto& [path, d] : dirty_) {
    if (PathUnder(path, from)) moved.insert(path);
  }
  for (const std::string& old_path : moved) {
    std::string new_path = to + old_path.substr(from.size());
    if (filter_->IncludeFile(new_path)) {
      MarkRenamed(old_path, new_path, now);
    } else {
      MarkReady(old_path, now);
    }
  }
  if (filter_->IncludeDir(to)) AddTree(to, now);  // watches and files the old name did not have
}

bool ChangeDetector::IsRoot(const std::string& path) const {
  for (const std::string& root : config_.roots) {
    if (root == path) return true;
  }
  return false;
}

// Whether a folder between `path` and its root is excluded.
bool ChangeDetector::InExcludedFolder(const std::string& path) const {
  for (const std::string& root : config_.roots) {
    if (PathUnder(path, root)) return !filter_->IncludeFoldersBetween(root, path);
  }
  return false;
}

}  // namespace tripline::agent
