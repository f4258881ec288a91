// FolderWatcher on Windows: one overlapped ReadDirectoryChangesW per root, over its whole
// subtree (folder_watcher.h). Only what Wine implements on top of inotify is used: no
// FILE_NOTIFY_EXTENDED_INFORMATION, no ReadDirectoryChangesExW, no completion ports.
#include <windows.h>

#include <chrono>

#include "agent/sources/fim/fim_config.h"
#include "agent/sources/fim/fim_fs.h"
#include "agent/sources/fim/folder_watcher.h"
#include "agent/sources/fim/rdcw_notify.h"
#include "common/platform/file.h"

namespace tripline::agent {
namespace {

static_assert(kFileActionAdded == FILE_ACTION_ADDED && kFileActionRemoved == FILE_ACTION_REMOVED &&
              kFileActionModified == FILE_ACTION_MODIFIED &&
              kFileActionRenamedOldName == FILE_ACTION_RENAMED_OLD_NAME &&
              kFileActionRenamedNewName == FILE_ACTION_RENAMED_NEW_NAME);

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
constexpr DWORD kFilter = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |
                          FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                          FILE_NOTIFY_CHANGE_CREATION;
// 64 KiB: the most ReadDirectoryChangesW accepts for a folder on a network share. Changes made
// while the buffer is being decoded are queued by the system for the next call.
constexpr DWORD kBufferBytes = 64 * 1024;
// A root whose watch fails again this soon after the last failure waits for the periodic scan
// instead of asking for a rescan at once (a share that keeps failing must not loop).
constexpr int64_t kRetryAfterSeconds = 60;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool IsFolderNow(const std::string& path) {
  DWORD attributes = GetFileAttributesW(fim_fs::WidePath(path).c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
         (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0;  // a junction is not entered
}

// Volume serial and file index: the folder a handle or a path names.
bool FolderId(HANDLE h, uint64_t id[2]) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(h, &info)) return false;
  id[0] = info.dwVolumeSerialNumber;
  id[1] = (static_cast<uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
  return true;
}

// The long form of a path reported with an 8.3 component ("SHELL~1.ASP"): the baseline knows
// files by their long names. `path` itself when it cannot be expanded within `root`.
std::string LongName(const std::string& root, const std::string& path) {
  std::wstring wide = fim_fs::WidePath(path);
  DWORD n = GetLongPathNameW(wide.c_str(), nullptr, 0);
  if (n == 0) return path;
  std::wstring buf(n, L'\0');
  n = GetLongPathNameW(wide.c_str(), buf.data(), n);
  if (n == 0 || n >= buf.size()) return path;
  std::string out = Utf16ToUtf8(std::u16string(buf.begin(), buf.begin() + n));
  if (out.rfind("\\\\?\\UNC\\", 0) == 0) {
    out = "\\" + out.substr(7);
  } else if (out.rfind("\\\\?\\", 0) == 0) {
    out = out.substr(4);
  }
  return PathUnder(out, root, '\\') ? out : path;
}

}  // namespace

struct FolderWatcher::Root {
  explicit Root(std::string p) : path(std::move(p)), buffer(kBufferBytes / sizeof(DWORD)) {}
  ~Root() {
    if (pending) {  // the system must be done with `buffer` and `overlapped` before they go
      CancelIoEx(dir, &overlapped);
      DWORD ignored = 0;
      GetOverlappedResult(dir, &overlapped, &ignored, TRUE);
    }
    if (dir != INVALID_HANDLE_VALUE) CloseHandle(dir);
    if (event != nullptr) CloseHandle(event);
  }
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;

  // Starts the next overlapped read. False (with `error`) when the system refuses it.
  bool Issue() {
    ResetEvent(event);
    overlapped = OVERLAPPED{};
    overlapped.hEvent = event;
    if (!ReadDirectoryChangesW(dir, buffer.data(), kBufferBytes, /*bWatchSubtree=*/TRUE, kFilter,
                               nullptr, &overlapped, nullptr)) {
      error = "ReadDirectoryChangesW: " + platform::Win32ErrorText(GetLastError());
      return false;
    }
    pending = true;
    return true;
  }

  std::string path;
  HANDLE dir = INVALID_HANDLE_VALUE;
  HANDLE event = nullptr;
  OVERLAPPED overlapped{};
  std::vector<DWORD> buffer;  // DWORD-aligned, as the records require
  bool pending = false;       // a read is outstanding: `buffer` belongs to the system
  uint64_t id[2] = {0, 0};
  PendingRename rename;
  std::string error;
};

FolderWatcher::FolderWatcher(size_t max_watches) : max_watches_(max_watches) {}

FolderWatcher::~FolderWatcher() = default;

absl::Status FolderWatcher::Open() {
  open_ = true;  // nothing global: each root gets its own handle in Watch()
  return absl::OkStatus();
}

void FolderWatcher::WatchError(std::string message) {
  ++watch_errors_;
  last_error_ = std::move(message);
}

FolderWatcher::Root* FolderWatcher::RootOf(const std::string& dir) const {
  for (const auto& [path, root] : roots_) {
    if (PathUnder(dir, path, '\\')) return root.get();
  }
  return nullptr;
}

bool FolderWatcher::Watch(const std::string& dir, bool follow) {
  if (!open_) return false;
  if (auto it = roots_.find(dir); it != roots_.end()) {
    if (SameFolderStillThere(*it->second)) return true;
    roots_.erase(it);  // renamed away (the handle follows it) and maybe replaced: start over
  } else if (RootOf(dir) != nullptr) {
    folders_.insert(dir);  // covered by its root's subtree watch
    return true;
  }
  return OpenRoot(dir, follow);
}

bool FolderWatcher::OpenRoot(const std::string& dir, bool follow) {
  if (roots_.size() >= max_watches_) {
    WatchError(dir + ": watch cap of " + std::to_string(max_watches_) + " roots reached");
    return false;
  }
  auto root = std::make_unique<Root>(dir);
  DWORD flags = FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED |
                (follow ? 0 : FILE_FLAG_OPEN_REPARSE_POINT);
  root->dir = CreateFileW(fim_fs::WidePath(dir).c_str(), FILE_LIST_DIRECTORY, kShareAll, nullptr,
                          OPEN_EXISTING, flags, nullptr);
  if (root->dir == INVALID_HANDLE_VALUE) {
    WatchError(dir + ": CreateFileW: " + platform::Win32ErrorText(GetLastError()));
    return false;
  }
  root->event = CreateEventW(nullptr, /*bManualReset=*/TRUE, /*bInitialState=*/FALSE, nullptr);
  if (root->event == nullptr) {
    WatchError(dir + ": CreateEventW: " + platform::Win32ErrorText(GetLastError()));
    return false;
  }
  FolderId(root->dir, root->id);
  if (!root->Issue()) {
    WatchError(dir + ": " + root->error);
    return false;
  }
  roots_[dir] = std::move(root);
  return true;
}

bool FolderWatcher::SameFolderStillThere(const Root& root) const {
  HANDLE h = CreateFileW(fim_fs::WidePath(root.path).c_str(), FILE_READ_ATTRIBUTES, kShareAll,
                         nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  uint64_t id[2] = {0, 0};
  bool known = FolderId(h, id);
  CloseHandle(h);
  return !known || (id[0] == root.id[0] && id[1] == root.id[1]);
}

bool FolderWatcher::IsWatched(const std::string& dir) const { return RootOf(dir) != nullptr; }

size_t FolderWatcher::watch_count() const { return roots_.size(); }

void FolderWatcher::ForgetTree(const std::string& dir) {
  for (auto it = folders_.lower_bound(dir);
       it != folders_.end() && it->compare(0, dir.size(), dir) == 0;) {
    it = PathUnder(*it, dir, '\\') ? folders_.erase(it) : std::next(it);
  }
  for (auto it = roots_.begin(); it != roots_.end();) {
    it = PathUnder(it->first, dir, '\\') ? roots_.erase(it) : std::next(it);
  }
}

void FolderWatcher::RenameTree(const std::string& from, const std::string& to) {
  std::vector<std::string> moved;
  for (auto it = folders_.lower_bound(from);
       it != folders_.end() && it->compare(0, from.size(), from) == 0;) {
    if (PathUnder(*it, from, '\\')) {
      moved.push_back(to + it->substr(from.size()));
      it = folders_.erase(it);
    } else {
      ++it;
    }
  }
  folders_.insert(moved.begin(), moved.end());
}

size_t FolderWatcher::Read(std::vector<Event>* out, size_t max_bytes) {
  size_t total = 0;
  std::vector<std::string> failed;
  for (auto& [path, root] : roots_) {
    if (total >= max_bytes) break;
    if (!Drain(*root, out, &total, max_bytes)) failed.push_back(path);
  }
  for (const std::string& path : failed) OnRootFailed(path, out);
  return total;
}

// Takes every completed read of `root` and issues the next. False when the watch broke.
bool FolderWatcher::Drain(Root& root, std::vector<Event>* out, size_t* bytes, size_t max_bytes) {
  while (*bytes < max_bytes) {
    DWORD got = 0;
    BOOL done = GetOverlappedResult(root.dir, &root.overlapped, &got, /*bWait=*/FALSE);
    DWORD err = done ? ERROR_SUCCESS : GetLastError();
    if (err == ERROR_IO_INCOMPLETE) return true;  // nothing yet: never wait
    root.pending = false;
    if (err != ERROR_SUCCESS && err != ERROR_NOTIFY_ENUM_DIR) {
      root.error = "ReadDirectoryChangesW: " + platform::Win32ErrorText(err);
      return false;
    }
    if (err == ERROR_NOTIFY_ENUM_DIR || got == 0) {
      out->push_back(Event{kFimOverflow, 0, ""});  // the system's buffer overflowed
    } else {
      Translate(root, got, out);
      *bytes += got;
    }
    if (!root.Issue()) return false;
  }
  return true;
}

void FolderWatcher::Translate(Root& root, size_t len, std::vector<Event>* out) {
  std::vector<NotifyRecord> records;
  if (!ParseNotifyBuffer(root.buffer.data(), len, &records)) {
    out->push_back(Event{kFimOverflow, 0, ""});  // a damaged batch: what it held is unknown
  }
  FolderQuery folders{[this](const std::string& p) { return folders_.count(p) != 0; }, IsFolderNow};
  size_t first = out->size();
  TranslateNotifications(root.path, records, folders, &next_cookie_, &root.rename, out);
  for (size_t i = first; i < out->size(); ++i) {
    Event& ev = (*out)[i];
    bool gone = (ev.mask & (kFimDelete | kFimMovedFrom)) != 0;
    if (!gone && BaseName(ev.path).find('~') != std::string_view::npos) {
      ev.path = LongName(root.path, ev.path);
    }
  }
}

// A watch that broke (root deleted, share gone): forget it and let the detector catch up.
void FolderWatcher::OnRootFailed(const std::string& dir, std::vector<Event>* out) {
  auto it = roots_.find(dir);
  WatchError(dir + ": " + it->second->error);
  roots_.erase(it);
  int64_t now = NowSeconds();
  auto [last, fresh] = failed_at_.try_emplace(dir, now);
  bool recently = !fresh && now - last->second < kRetryAfterSeconds;
  last->second = now;
  if (!fim_fs::PathExists(dir)) {
    out->push_back(Event{kFimDeleteSelf | kFimIsDir, 0, dir});  // as inotify's IN_DELETE_SELF
  } else if (!recently) {
    out->push_back(Event{kFimOverflow, 0, ""});  // the rescan watches it again
  }
}

}  // namespace tripline::agent
