#include "agent/sources/fim/rdcw_notify.h"

#include <cstring>

#include "agent/sources/fim/fim_path.h"

namespace tripline::agent {
namespace {

constexpr size_t kHeaderBytes = 12;  // NextEntryOffset, Action, FileNameLength

uint32_t LoadU32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t NextCookie(uint32_t* next_cookie) {
  if (++*next_cookie == 0) ++*next_cookie;  // 0 means "not a move"
  return *next_cookie;
}

}  // namespace

bool ParseNotifyBuffer(const void* buf, size_t len, std::vector<NotifyRecord>* out) {
  const auto* bytes = static_cast<const unsigned char*>(buf);
  for (size_t off = 0;;) {
    if (len < kHeaderBytes || off > len - kHeaderBytes) return false;
    uint32_t next = LoadU32(bytes + off);
    uint32_t action = LoadU32(bytes + off + 4);
    uint32_t name_bytes = LoadU32(bytes + off + 8);
    if (name_bytes > len - off - kHeaderBytes) return false;
    std::u16string name(name_bytes / 2, u'\0');
    for (size_t i = 0; i < name.size(); ++i) {
      const unsigned char* c = bytes + off + kHeaderBytes + 2 * i;
      name[i] = static_cast<char16_t>(c[0] | c[1] << 8);
    }
    out->push_back(NotifyRecord{action, Utf16ToUtf8(name)});
    if (next == 0) return true;
    if (next < kHeaderBytes) return false;  // would loop or go backwards
    off += next;
  }
}

void TranslateNotifications(const std::string& root, const std::vector<NotifyRecord>& records,
                            const FolderQuery& folders, uint32_t* next_cookie,
                            PendingRename* pending, std::vector<FolderEvent>* out) {
  for (const NotifyRecord& rec : records) {
    if (rec.name.empty()) continue;
    std::string path = JoinPath(root, rec.name, '\\');
    PendingRename old = *pending;
    *pending = PendingRename{};  // a pair is adjacent: anything else ends the wait
    uint32_t mask = 0;
    uint32_t cookie = 0;
    bool dir = false;
    switch (rec.action) {
      case kFileActionAdded:
        mask = kFimCreate;
        dir = folders.is_folder_now(path);
        break;
      case kFileActionRemoved:
        mask = kFimDelete;
        dir = folders.was_folder(path);
        break;
      case kFileActionModified:
        mask = kFimModify;
        dir = folders.was_folder(path);
        break;
      case kFileActionRenamedOldName:
        mask = kFimMovedFrom;
        dir = folders.was_folder(path);
        cookie = NextCookie(next_cookie);
        *pending = PendingRename{cookie, dir};
        break;
      case kFileActionRenamedNewName:
        mask = kFimMovedTo;
        dir = old.is_dir || folders.is_folder_now(path);
        cookie = old.cookie != 0 ? old.cookie : NextCookie(next_cookie);
        break;
      default:
        continue;  // an action this (conservative) watch did not ask for
    }
    out->push_back(FolderEvent{mask | (dir ? kFimIsDir : 0), cookie, std::move(path)});
  }
}

}  // namespace tripline::agent
