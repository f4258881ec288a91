#include "agent/sources/host/proc_reader.h"

#include <cmath>

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <memory>

#include "common/hash.h"
#include "common/utf8.h"

namespace tripline::agent {
namespace {

constexpr uint64_t kPfKthread = 0x00200000;  // PF_KTHREAD in stat's flags (field 9)
constexpr size_t kMaxUserCache = 4096;

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr != text.data();
}

std::string ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Splits `text` at spaces into at most `max` fields.
std::vector<std::string_view> Fields(std::string_view text, size_t max) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size() && out.size() < max) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool NeedsQuotes(std::string_view arg) {
  if (arg.empty()) return true;
  return arg.find_first_of(" \t\n\"'\\") != std::string_view::npos;
}

}  // namespace

std::optional<std::string> ReadSmallFile(const std::string& path, size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[8192];
  while (out.size() < max) {
    ssize_t n = ::read(fd, buf, std::min(sizeof(buf), max - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

ProcReader::ProcReader(std::string proc_root, size_t max_cmdline_bytes)
    : root_(std::move(proc_root)), max_cmdline_bytes_(max_cmdline_bytes) {}

std::string ProcReader::Path(int64_t pid, const char* leaf) const {
  return root_ + "/" + std::to_string(pid) + "/" + leaf;
}

std::vector<int64_t> ProcReader::ListPids() const {
  std::vector<int64_t> pids;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(root_.c_str()), ::closedir);
  if (!dir) return pids;
  while (dirent* e = ::readdir(dir.get())) {
    int64_t pid = 0;
    std::string_view name = e->d_name;
    if (ParseNumber(name, pid) && std::to_string(pid) == name) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::optional<ProcStat> ProcReader::ReadStat(int64_t pid) const {
  auto text = ReadSmallFile(Path(pid, "stat"), 4096);
  if (!text) return std::nullopt;
  size_t open = text->find('(');
  size_t close = text->rfind(')');  // comm may itself hold ')' and spaces
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  auto f = Fields(std::string_view(*text).substr(std::min(close + 2, text->size())), 20);
  ProcStat st;
  uint64_t flags = 0;
  st.pid = pid;
  st.comm = text->substr(open + 1, close - open - 1);
  if (f.size() < 20 || !ParseNumber(f[1], st.ppid) || !ParseNumber(f[6], flags) ||
      !ParseNumber(f[19], st.start_ticks)) {
    return std::nullopt;
  }
  st.kernel_thread = (flags & kPfKthread) != 0;
  return st;
}

std::string ProcReader::Executable(int64_t pid) const {
  std::string exe = ReadLink(Path(pid, "exe"));
  constexpr std::string_view kDeleted = " (deleted)";  // the binary was replaced or removed
  if (exe.size() > kDeleted.size() && exe.ends_with(kDeleted)) exe.resize(exe.size() - kDeleted.size());
  return exe;
}

std::optional<ProcInfo> ProcReader::Read(int64_t pid) const {
  auto st = ReadStat(pid);
  if (!st) return std::nullopt;
  ProcInfo info;
  info.pid = pid;
  info.ppid = st->ppid;
  info.start_ticks = st->start_ticks;
  info.kernel_thread = st->kernel_thread;
  info.executable = Executable(pid);
  info.name = info.executable.empty() ? st->comm : BaseName(info.executable);
  auto raw = ReadSmallFile(Path(pid, "cmdline"), max_cmdline_bytes_ + 1);
  if (raw) {
    info.command_line_truncated = raw->size() > max_cmdline_bytes_;
    if (info.command_line_truncated) raw->resize(max_cmdline_bytes_);
    info.command_line = JoinCommandLine(*raw);
  }
  info.working_directory = ReadLink(Path(pid, "cwd"));
  if (auto status = ReadSmallFile(Path(pid, "status"), 16 * 1024)) {
    size_t at = status->find("\nUid:");
    if (at != std::string::npos) {
      std::string_view rest = std::string_view(*status).substr(at + 5);
      rest = rest.substr(0, rest.find('\n'));
      size_t a = rest.find_first_not_of(" \t");                // real uid
      size_t b = rest.find_first_of(" \t", a);
      size_t c = rest.find_first_not_of(" \t", b);             // effective uid
      if (c != std::string_view::npos) ParseNumber(rest.substr(c), info.uid);
    }
  }
  // A process that exits while being read loses its stat last: check it is still the same one.
  auto again = ReadStat(pid);
  if (!again || again->start_ticks != info.start_ticks) return std::nullopt;
  // Paths and arguments are bytes to Linux, but Event strings must be UTF-8 (proto3): unrepaired,
  // one invalid byte in its argv would make a process's start event undecodable downstream.
  for (std::string* s :
       {&info.executable, &info.name, &info.command_line, &info.working_directory}) {
    if (!IsValidUtf8(*s)) *s = RepairedUtf8(*s);
  }
  return info;
}

std::string ProcReader::UserName(int64_t uid) {
  if (uid < 0) return "";
  if (auto it = users_.find(uid); it != users_.end()) return it->second;
  struct passwd pw {};
  struct passwd* result = nullptr;
  std::vector<char> buf(16 * 1024);
  std::string name = std::to_string(uid);
  if (::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &result) == 0 && result) {
    name = result->pw_name;
  }
  if (users_.size() >= kMaxUserCache) users_.clear();
  users_[uid] = name;
  return name;
}

std::string ProcReader::BootId() const {
  auto text = ReadSmallFile(root_ + "/sys/kernel/random/boot_id", 256);
  if (!text) return "unknown-boot";
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  return text->empty() ? "unknown-boot" : *text;
}

int64_t ProcReader::BootTimeSeconds() const {
  auto text = ReadSmallFile(root_ + "/stat", 256 * 1024);
  if (!text) return 0;
  size_t at = text->find("\nbtime ");
  int64_t btime = 0;
  if (at != std::string::npos) ParseNumber(std::string_view(*text).substr(at + 7), btime);
  return btime;
}

uint64_t ProcReader::UptimeTicks() const {
  auto text = ReadSmallFile(root_ + "/uptime", 256);
  if (!text) return 0;
  double seconds = std::strtod(text->c_str(), nullptr);
  // /proc/uptime has 10 ms resolution: round, so that 8492.87 s is not 849286.99 ticks, cut.
  return static_cast<uint64_t>(std::llround(seconds * static_cast<double>(TicksPerSecond())));
}

int64_t ProcReader::TicksPerSecond() {
  static const int64_t ticks = [] {
    long t = ::sysconf(_SC_CLK_TCK);
    return t > 0 ? static_cast<int64_t>(t) : int64_t{100};
  }();
  return ticks;
}

std::string ProcReader::EntityId(std::string_view boot_id, int64_t pid, uint64_t start_ticks) {
  return StableId({boot_id, std::to_string(pid), std::to_string(start_ticks)});
}

std::string ProcReader::JoinCommandLine(std::string_view raw) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  std::string out;
  size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    size_t end = raw.find('\0', pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view arg = raw.substr(pos, end - pos);
    if (!out.empty()) out += ' ';
    if (!NeedsQuotes(arg) || (pos == 0 && end == raw.size())) {
      out.append(arg);  // a single argument is shown as is (setproctitle rewrites argv so)
    } else {
      out += '"';
      for (char c : arg) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace tripline::agent
