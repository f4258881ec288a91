// The Windows side of common/platform/file.h (MinGW-w64 and MSVC).
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "common/platform/file.h"
#include "common/platform/system.h"
#include "common/platform/wakeup.h"
#include "common/platform/glob_match.h"

namespace tripline::platform {
namespace {

HANDLE AsHandle(void* h) { return static_cast<HANDLE>(h); }

bool DiskFull(DWORD err) { return err == ERROR_DISK_FULL || err == ERROR_HANDLE_DISK_FULL; }

absl::Status ErrorStatus(const std::string& what, DWORD err) {
  std::string message = what + ": " + Win32ErrorText(err);
  if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
    return absl::NotFoundError(message);
  }
  return DiskFull(err) ? absl::ResourceExhaustedError(message) : absl::InternalError(message);
}

std::string IdOf(const BY_HANDLE_FILE_INFORMATION& info) {
  uint64_t index = (uint64_t{info.nFileIndexHigh} << 32) | info.nFileIndexLow;
  return std::to_string(info.dwVolumeSerialNumber) + ":" + std::to_string(index);
}

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

}  // namespace

std::wstring Widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string Narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), nullptr,
                              0, nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n,
                      nullptr, nullptr);
  return out;
}

std::string Win32ErrorText(unsigned long code) {
  // Wine's stubs (and a few Windows paths) fail without setting an error code.
  if (code == ERROR_SUCCESS) return "failed without an error code (0)";
  wchar_t* text = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                               FORMAT_MESSAGE_IGNORE_INSERTS,
                           nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string out = n ? Narrow(std::wstring_view(text, n)) : "error";
  if (text) LocalFree(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) {
    out.pop_back();
  }
  return out + " (" + std::to_string(code) + ")";
}

absl::StatusOr<File> File::Open(const std::string& path, Access access) {
  DWORD desired = access == Access::kRead ? GENERIC_READ : GENERIC_WRITE;
  DWORD disposition = access == Access::kRead    ? OPEN_EXISTING
                      : access == Access::kWrite ? OPEN_ALWAYS
                                                 : CREATE_ALWAYS;
  HANDLE h = CreateFileW(Widen(path).c_str(), desired, kShareAll, nullptr, disposition,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return ErrorStatus(path + ": open", GetLastError());
  File f;
  f.handle_ = h;
  f.path_ = path;
  return f;
}

File::~File() {
  if (is_open()) CloseHandle(AsHandle(handle_));
}

File::File(File&& other) noexcept
    : handle_(std::exchange(other.handle_, INVALID_HANDLE_VALUE)),
      path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (is_open()) CloseHandle(AsHandle(handle_));
    handle_ = std::exchange(other.handle_, INVALID_HANDLE_VALUE);
    path_ = std::move(other.path_);
  }
  return *this;
}

bool File::is_open() const { return AsHandle(handle_) != INVALID_HANDLE_VALUE; }

absl::Status File::Error(const char* what) const {
  return ErrorStatus(path_ + ": " + what, GetLastError());
}

absl::StatusOr<size_t> File::ReadAt(uint64_t offset, char* buf, size_t len) const {
  size_t done = 0;
  while (done < len) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(offset + done);
    at.OffsetHigh = static_cast<DWORD>((offset + done) >> 32);
    DWORD want = static_cast<DWORD>(std::min<size_t>(len - done, 1u << 30));
    DWORD got = 0;
    if (!ReadFile(AsHandle(handle_), buf + done, want, &got, &at)) {
      if (GetLastError() == ERROR_HANDLE_EOF) break;
      return Error("read");
    }
    if (got == 0) break;
    done += got;
  }
  return done;
}

absl::Status File::WriteAt(uint64_t offset, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(offset + done);
    at.OffsetHigh = static_cast<DWORD>((offset + done) >> 32);
    DWORD want = static_cast<DWORD>(std::min<size_t>(data.size() - done, 1u << 30));
    DWORD put = 0;
    if (!WriteFile(AsHandle(handle_), data.data() + done, want, &put, &at)) return Error("write");
    done += put;
  }
  return absl::OkStatus();
}

absl::Status File::Truncate(uint64_t size) {
  FILE_END_OF_FILE_INFO eof{};
  eof.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!SetFileInformationByHandle(AsHandle(handle_), FileEndOfFileInfo, &eof, sizeof eof)) {
    return Error("truncate");
  }
  return absl::OkStatus();
}

absl::Status File::Sync() {
  return FlushFileBuffers(AsHandle(handle_)) ? absl::OkStatus() : Error("flush");
}

absl::StatusOr<File::Info> File::Stat() const {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(AsHandle(handle_), &info)) return Error("stat");
  FILE_STANDARD_INFO standard{};
  bool pending = GetFileInformationByHandleEx(AsHandle(handle_), FileStandardInfo, &standard,
                                              sizeof standard) &&
                 standard.DeletePending;
  uint64_t size = (uint64_t{info.nFileSizeHigh} << 32) | info.nFileSizeLow;
  return Info{size, pending || info.nNumberOfLinks == 0, IdOf(info)};
}

absl::StatusOr<std::string> RegularFileId(const std::string& path) {
  // Zero access rights: reads attributes without disturbing writers (nor needing read rights).
  HANDLE h = CreateFileW(Widen(path).c_str(), 0, kShareAll, nullptr, OPEN_EXISTING,
                         FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return ErrorStatus(path, GetLastError());
  BY_HANDLE_FILE_INFORMATION info{};
  bool ok = GetFileInformationByHandle(h, &info);
  DWORD err = GetLastError();
  CloseHandle(h);
  if (!ok) return ErrorStatus(path + ": stat", err);
  if (info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE)) {
    return absl::FailedPreconditionError(path + ": not a regular file");
  }
  return IdOf(info);
}

absl::Status RenameOver(const std::string& from, const std::string& to) {
  if (!MoveFileExW(Widen(from).c_str(), Widen(to).c_str(),
                   MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return ErrorStatus(to + ": rename", GetLastError());
  }
  return absl::OkStatus();
}

bool Readable(const std::string& path) {
  HANDLE h = CreateFileW(Widen(path).c_str(), GENERIC_READ, kShareAll, nullptr, OPEN_EXISTING,
                         FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  CloseHandle(h);
  return true;
}

namespace {

// Splits `pattern` into its root ("C:\", "\\server\share\", "\" or "" when relative) and its
// components.
void SplitPath(std::string_view pattern, std::string* root, std::vector<std::string>* parts) {
  size_t start = 0;
  auto is_sep = [](char c) { return c == '\\' || c == '/'; };
  if (pattern.size() >= 2 && pattern[1] == ':') {
    start = pattern.size() >= 3 && is_sep(pattern[2]) ? 3 : 2;
  } else if (pattern.size() >= 2 && is_sep(pattern[0]) && is_sep(pattern[1])) {
    int seps = 0;  // \\server\share\ : the root ends after the fourth separator
    for (start = 0; start < pattern.size() && seps < 4; ++start) seps += is_sep(pattern[start]);
  } else if (!pattern.empty() && is_sep(pattern[0])) {
    start = 1;
  }
  *root = std::string(pattern.substr(0, start));
  for (char& c : *root) c = c == '/' ? '\\' : c;
  std::string part;
  for (size_t i = start; i <= pattern.size(); ++i) {
    if (i == pattern.size() || is_sep(pattern[i])) {
      if (!part.empty()) parts->push_back(std::move(part));
      part.clear();
    } else {
      part.push_back(pattern[i]);
    }
  }
}

std::string Join(const std::string& base, const std::string& name) {
  if (base.empty()) return name;
  return base.back() == '\\' ? base + name : base + "\\" + name;
}

// Attributes of `path`, or INVALID_FILE_ATTRIBUTES.
DWORD AttributesOf(const std::string& path) { return GetFileAttributesW(Widen(path).c_str()); }

// Expands components parts[i..] below `base` into `out`.
void Expand(const std::string& base, const std::vector<std::string>& parts, size_t i,
            bool dirs_only, std::vector<std::string>* out) {
  if (i == parts.size()) {
    DWORD attrs = AttributesOf(base);
    if (attrs == INVALID_FILE_ATTRIBUTES) return;
    if (!dirs_only || (attrs & FILE_ATTRIBUTE_DIRECTORY)) out->push_back(base);
    return;
  }
  if (!HasGlobMeta(parts[i])) {
    Expand(Join(base, parts[i]), parts, i + 1, dirs_only, out);
    return;
  }
  WIN32_FIND_DATAW found{};
  HANDLE h = FindFirstFileExW(Widen(Join(base, "*")).c_str(), FindExInfoBasic, &found,
                              FindExSearchNameMatch, nullptr, FIND_FIRST_EX_LARGE_FETCH);
  if (h == INVALID_HANDLE_VALUE) return;
  do {
    std::string name = Narrow(found.cFileName);
    if (name == "." || name == ".." || !MatchGlob(parts[i], name, true)) continue;
    bool dir = found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY;
    if (i + 1 < parts.size() && !dir) continue;
    Expand(Join(base, name), parts, i + 1, dirs_only, out);
  } while (FindNextFileW(h, &found));
  FindClose(h);
}

}  // namespace

std::vector<std::string> Glob(const std::string& pattern, bool dirs_only) {
  std::string root;
  std::vector<std::string> parts;
  SplitPath(pattern, &root, &parts);
  std::vector<std::string> out;
  if (parts.empty()) {
    Expand(root, parts, 0, dirs_only, &out);
  } else {
    Expand(root.empty() ? "" : root, parts, 0, dirs_only, &out);
  }
  return out;
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return MatchGlob(pattern, text, true);
}

bool IsAbsolutePath(std::string_view path) { return IsWindowsAbsolutePath(path); }

std::string HostName() {
  wchar_t buf[256] = {};
  DWORD n = 256;
  if (!GetComputerNameExW(ComputerNameDnsHostname, buf, &n) || n == 0) return "unknown-host";
  return Narrow(std::wstring_view(buf, n));
}

bool StderrIsTerminal() { return _isatty(_fileno(stderr)) != 0; }

Wakeup::~Wakeup() {
  if (event_ != nullptr) CloseHandle(static_cast<HANDLE>(event_));
}

absl::Status Wakeup::Open() {
  event_ = CreateEventW(nullptr, /*bManualReset=*/FALSE, /*bInitialState=*/FALSE, nullptr);
  if (event_ == nullptr) return absl::InternalError("CreateEvent: " + Win32ErrorText(GetLastError()));
  return absl::OkStatus();
}

void Wakeup::Signal() { SetEvent(static_cast<HANDLE>(event_)); }

bool Wakeup::Wait(std::chrono::milliseconds timeout) {
  return WaitForSingleObject(static_cast<HANDLE>(event_), static_cast<DWORD>(timeout.count())) ==
         WAIT_OBJECT_0;
}

}  // namespace tripline::platform
