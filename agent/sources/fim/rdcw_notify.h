#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/sources/fim/folder_watcher.h"

// What ReadDirectoryChangesW writes, decoded without <windows.h>: the parsing and the
// translation into FolderEvents are plain code, unit-tested on Linux; rdcw_folder_watcher.cc
// only moves bytes. Pure functions (state is passed in), any thread.
namespace tripline::agent {

// FILE_NOTIFY_INFORMATION::Action values (winnt.h; rdcw_folder_watcher.cc checks they agree).
inline constexpr uint32_t kFileActionAdded = 1;
inline constexpr uint32_t kFileActionRemoved = 2;
inline constexpr uint32_t kFileActionModified = 3;
inline constexpr uint32_t kFileActionRenamedOldName = 4;
inline constexpr uint32_t kFileActionRenamedNewName = 5;

struct NotifyRecord {
  uint32_t action = 0;
  std::string name;  // UTF-8 (Utf16ToUtf8), relative to the watched folder, '\' separated
};

// Parses the FILE_NOTIFY_INFORMATION chain in the first `len` bytes of `buf` (the byte count
// ReadDirectoryChangesW reported). Each record, DWORD-aligned, little-endian:
//
//   uint32 NextEntryOffset   bytes to the next record; 0 on the last
//   uint32 Action            kFileAction*
//   uint32 FileNameLength    bytes (not characters) of FileName
//   WCHAR  FileName[]        UTF-16, not NUL-terminated
//
// Returns false when a record points outside the buffer or backwards; the records before it
// are appended all the same.
bool ParseNotifyBuffer(const void* buf, size_t len, std::vector<NotifyRecord>* out);

// Whether a path is a folder: the notification does not say. `was_folder` answers for a path
// that may be gone (removed, renamed away, modified: the folders the watcher was told about);
// `is_folder_now` for one that should exist (added, renamed to: asks the file system; a link or
// junction is not a folder).
struct FolderQuery {
  std::function<bool(const std::string& path)> was_folder;
  std::function<bool(const std::string& path)> is_folder_now;
};

// A RENAMED_OLD_NAME whose RENAMED_NEW_NAME has not been seen yet; it can end one buffer and
// its pair start the next, so the watcher keeps one per root.
struct PendingRename {
  uint32_t cookie = 0;  // 0: none
  bool is_dir = false;
};

// Turns the records of the root folder `root` (normalized, '\' separated) into events:
//
//   ADDED             kFimCreate      (+ kFimIsDir when is_folder_now)
//   REMOVED           kFimDelete      (+ kFimIsDir when was_folder)
//   MODIFIED          kFimModify      (+ kFimIsDir when was_folder)
//   RENAMED_OLD_NAME  kFimMovedFrom   (+ kFimIsDir when was_folder), a new cookie
//   RENAMED_NEW_NAME  kFimMovedTo     (+ kFimIsDir when is_folder_now or the old name was a
//                                     folder), the cookie of the old name just before it, else
//                                     a new one (the detector then sees a file moved in)
//
// Cookies come from *next_cookie (never 0). Other actions are skipped. There is no
// IN_CLOSE_WRITE on Windows: created and modified files are released by the detector's quiet
// timer (FimConfig::settle).
void TranslateNotifications(const std::string& root, const std::vector<NotifyRecord>& records,
                            const FolderQuery& folders, uint32_t* next_cookie,
                            PendingRename* pending, std::vector<FolderEvent>* out);

}  // namespace tripline::agent
