#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tripline::agent {

// What /proc tells about one process (a thread group).
struct ProcInfo {
  int64_t pid = 0;
  int64_t ppid = 0;
  uint64_t start_ticks = 0;  // stat field 22: clock ticks after boot
  bool kernel_thread = false;
  std::string executable;    // readlink /proc/<pid>/exe ("" when unreadable)
  std::string name;          // file name of the executable, else stat's comm
  std::string command_line;  // arguments joined by spaces, quoted where needed
  bool command_line_truncated = false;
  std::string working_directory;
  int64_t uid = -1;  // effective uid (status "Uid:" second column)
};

// The part of a ProcInfo a cheap scan reads: stat only.
struct ProcStat {
  int64_t pid = 0;
  int64_t ppid = 0;
  uint64_t start_ticks = 0;
  bool kernel_thread = false;
  std::string comm;
};

// Reads process facts from a procfs mount (normally /proc; a test may point it elsewhere).
//
// Thread: one owner (a source on the agent main loop); not thread-safe (the uid→name cache).
// Every read tolerates the process exiting in between: a vanished process gives nullopt or
// empty fields, never an error.
class ProcReader {
 public:
  explicit ProcReader(std::string proc_root = "/proc", size_t max_cmdline_bytes = 32 * 1024);

  // The pids (thread groups) currently listed, ascending.
  std::vector<int64_t> ListPids() const;

  std::optional<ProcStat> ReadStat(int64_t pid) const;
  // Everything; nullopt when the process is gone.
  std::optional<ProcInfo> Read(int64_t pid) const;
  std::string Executable(int64_t pid) const;
  // uid → user name (getpwuid_r), the number as text when unknown; cached.
  std::string UserName(int64_t uid);

  // /proc/sys/kernel/random/boot_id, or "unknown-boot".
  std::string BootId() const;
  // Wall-clock seconds of the boot (stat "btime"), 0 when unknown.
  int64_t BootTimeSeconds() const;
  // Clock ticks since boot now (/proc/uptime), 0 when unknown.
  uint64_t UptimeTicks() const;
  static int64_t TicksPerSecond();

  // A stable id for one process instance: hash of (boot id, pid, start ticks).
  static std::string EntityId(std::string_view boot_id, int64_t pid, uint64_t start_ticks);
  // argv as /proc/<pid>/cmdline holds it (NUL separated) → one readable line.
  static std::string JoinCommandLine(std::string_view raw);

  const std::string& root() const { return root_; }

 private:
  std::string Path(int64_t pid, const char* leaf) const;

  std::string root_;
  size_t max_cmdline_bytes_;
  std::map<int64_t, std::string> users_;
};

// The whole small file, or nullopt; reads at most `max` bytes.
std::optional<std::string> ReadSmallFile(const std::string& path, size_t max = 64 * 1024);

}  // namespace tripline::agent
