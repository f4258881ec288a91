// fim_fs.h on Windows. Folders are listed by handle with FileIdBothDirectoryInfo, which carries
// ChangeTime (FindFirstFileW does not), so a listing and an open file give the same FileStat.
// Files are opened with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE (IIS and a
// dropper may still hold them) and FILE_FLAG_OPEN_REPARSE_POINT (a link is not followed).
#include <windows.h>

#include <algorithm>
#include <vector>

#include "agent/sources/fim/fim_fs.h"
#include "agent/sources/fim/fim_path.h"
#include "common/platform/file.h"
#include "common/platform/glob_match.h"

namespace tripline::agent {
namespace fim_fs {
namespace {

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
constexpr size_t kListBufferBytes = 64 * 1024;

enum class Kind {
  kRegular,
  kDataReparse,  // a regular file behind a reparse point (dedup, WOF, cloud): read it normally
  kNotRegular,   // folder, link (name surrogate), device, pipe
  kError,
};

bool IsLinkTag(DWORD attributes, DWORD tag) {
  return (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 && IsReparseTagNameSurrogate(tag);
}

// What the open handle `h` is, and its FileStat when it is a file.
Kind Classify(HANDLE h, FileStat* stat) {
  FILE_BASIC_INFO basic{};
  FILE_STANDARD_INFO standard{};
  if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof(basic)) ||
      !GetFileInformationByHandleEx(h, FileStandardInfo, &standard, sizeof(standard))) {
    return Kind::kError;
  }
  if ((basic.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0 || standard.Directory ||
      GetFileType(h) != FILE_TYPE_DISK) {
    return Kind::kNotRegular;
  }
  *stat = FileStatFromWindows(static_cast<uint64_t>(standard.EndOfFile.QuadPart),
                              basic.LastWriteTime.QuadPart, basic.ChangeTime.QuadPart);
  if ((basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) return Kind::kRegular;
  FILE_ATTRIBUTE_TAG_INFO tag{};
  if (!GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof(tag))) {
    return Kind::kNotRegular;  // cannot tell a link from data: do not follow
  }
  return IsLinkTag(tag.FileAttributes, tag.ReparseTag) ? Kind::kNotRegular : Kind::kDataReparse;
}

HANDLE OpenPath(const std::string& path, DWORD access, DWORD flags) {
  return CreateFileW(WidePath(path).c_str(), access, kShareAll, nullptr, OPEN_EXISTING, flags,
                     nullptr);
}

bool IsNotFound(DWORD err) {
  return err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND || err == ERROR_INVALID_NAME ||
         err == ERROR_DIRECTORY;
}

// Calls `fn` for each record of one FileIdBothDirectoryInfo batch. False when `fn` stopped.
template <typename Fn>
bool ForEachRecord(const unsigned char* buf, Fn fn) {
  for (size_t off = 0;;) {
    const auto* info = reinterpret_cast<const FILE_ID_BOTH_DIR_INFO*>(buf + off);
    if (!fn(*info)) return false;
    if (info->NextEntryOffset == 0) return true;
    off += info->NextEntryOffset;
  }
}

}  // namespace

std::wstring WidePath(const std::string& path) {
  std::u16string wide = Utf8ToUtf16(path);
  std::wstring out;
  if (wide.size() >= 248 && platform::IsWindowsAbsolutePath(path)) {
    bool unc = wide[0] == u'\\' && wide[1] == u'\\';
    out = unc ? L"\\\\?\\UNC" : L"\\\\?\\";
    wide.erase(0, unc ? 1 : 0);  // "\\server" -> "\\?\UNC\server"
  }
  out.append(wide.begin(), wide.end());
  return out;
}

bool ListFolder(
    const std::string& dir,
    const std::function<bool(std::string path, EntryKind kind, const FileStat& stat)>& fn) {
  HANDLE h = OpenPath(dir, FILE_LIST_DIRECTORY, FILE_FLAG_BACKUP_SEMANTICS);
  if (h == INVALID_HANDLE_VALUE) return IsNotFound(GetLastError());  // gone: nothing below it
  std::vector<unsigned char> buf(kListBufferBytes);  // operator new: aligned for the records
  bool ok = true;
  bool more = true;
  while (more) {
    if (!GetFileInformationByHandleEx(h, FileIdBothDirectoryInfo, buf.data(),
                                      static_cast<DWORD>(buf.size()))) {
      ok = GetLastError() == ERROR_NO_MORE_FILES;
      break;
    }
    more = ForEachRecord(buf.data(), [&](const FILE_ID_BOTH_DIR_INFO& info) {
      std::u16string name(reinterpret_cast<const char16_t*>(info.FileName),
                          info.FileNameLength / sizeof(WCHAR));
      if (name == u"." || name == u"..") return true;
      // With a reparse point, EaSize holds its tag (MS-FSCC 2.4.17).
      EntryKind kind = IsLinkTag(info.FileAttributes, info.EaSize)             ? EntryKind::kOther
                       : (info.FileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ? EntryKind::kFolder
                       : (info.FileAttributes & FILE_ATTRIBUTE_DEVICE) != 0    ? EntryKind::kOther
                                                                               : EntryKind::kFile;
      FileStat stat;
      if (kind == EntryKind::kFile) {
        stat = FileStatFromWindows(static_cast<uint64_t>(info.EndOfFile.QuadPart),
                                   info.LastWriteTime.QuadPart, info.ChangeTime.QuadPart);
      }
      return fn(JoinPath(dir, Utf16ToUtf8(name)), kind, stat);
    });
  }
  CloseHandle(h);
  return ok;
}

ReadOnlyFile::~ReadOnlyFile() {
  if (handle_ != nullptr) CloseHandle(handle_);
}

ReadOnlyFile::Result ReadOnlyFile::Open(const std::string& path, FileStat* stat,
                                        std::string* error) {
  HANDLE h = OpenPath(path, GENERIC_READ, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD err = GetLastError();
    if (IsNotFound(err)) return Result::kMissing;
    *error = platform::Win32ErrorText(err);  // access denied, a writer that shares nothing, ...
    return StatRegularFile(path, stat) ? Result::kUnreadable : Result::kMissing;
  }
  handle_ = h;
  Kind kind = Classify(h, stat);
  if (kind == Kind::kDataReparse) {
    // Opened as a reparse point, reads would return the stub: open the data, and make sure the
    // name still holds the same kind of file (not a link swapped in meanwhile).
    CloseHandle(h);
    handle_ = nullptr;
    h = OpenPath(path, GENERIC_READ, FILE_FLAG_SEQUENTIAL_SCAN);
    if (h == INVALID_HANDLE_VALUE) {
      *error = platform::Win32ErrorText(GetLastError());
      return Result::kUnreadable;
    }
    handle_ = h;
    kind = Classify(h, stat) == Kind::kDataReparse ? Kind::kRegular : Kind::kNotRegular;
  }
  return kind == Kind::kRegular ? Result::kOpened : Result::kMissing;
}

int64_t ReadOnlyFile::Read(char* buf, size_t len, std::string* error) {
  DWORD got = 0;
  DWORD want = static_cast<DWORD>(std::min<size_t>(len, 1u << 30));
  if (!ReadFile(handle_, buf, want, &got, nullptr)) {
    DWORD err = GetLastError();
    if (err == ERROR_HANDLE_EOF) return 0;
    *error = platform::Win32ErrorText(err);
    return -1;
  }
  return got;
}

bool ReadOnlyFile::Stat(FileStat* stat) const {
  Kind kind = Classify(handle_, stat);
  return kind == Kind::kRegular || kind == Kind::kDataReparse;
}

bool PathExists(const std::string& path) {
  return GetFileAttributesW(WidePath(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

}  // namespace fim_fs

bool StatRegularFile(const std::string& path, FileStat* stat) {
  // FILE_READ_ATTRIBUTES is not subject to sharing: works while a writer shares nothing.
  HANDLE h = fim_fs::OpenPath(path, FILE_READ_ATTRIBUTES,
                              FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS);
  if (h == INVALID_HANDLE_VALUE) return false;
  FileStat st;
  fim_fs::Kind kind = fim_fs::Classify(h, &st);
  CloseHandle(h);
  if (kind != fim_fs::Kind::kRegular && kind != fim_fs::Kind::kDataReparse) return false;
  *stat = st;
  return true;
}

}  // namespace tripline::agent
