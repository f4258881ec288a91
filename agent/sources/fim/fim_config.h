#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/fim/fim_path.h"
#include "common/status.h"
#include "common/strings.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// The envelope every event of this agent carries (same fields as the agent's AgentIdentity).
struct FimIdentity {
  std::string agent_id;
  v1::Host host;
};

// One `fim` source section of agent.yaml, already typed.
struct FimConfig {
  std::string name;
  // Folders watched recursively. Absolute paths ("C:\inetpub\wwwroot" or "C:/..." on Windows,
  // where they are compared case-insensitively); none may contain another.
  std::vector<std::string> roots;
  // File extensions reported, lower case without the dot ("aspx"); empty: every file.
  std::vector<std::string> include_extensions;
  // fnmatch(3) globs without FNM_PATHNAME (`*` also matches '/'), tried on the full path and on
  // the file or folder name. A matching folder is neither watched nor walked (Windows, where the
  // whole root is watched: its events are dropped). Matched by platform::GlobMatch: on Windows
  // case-insensitive, `\` and `/` alike.
  std::vector<std::string> exclude_globs;
  // Files bigger than this are hashed (and scanned for web-shell markers) up to this many
  // bytes; the event is labelled fim.hash_truncated=true.
  uint64_t max_hash_bytes = 64ull << 20;
  // Full rescan against the baseline, a safety net for anything inotify missed.
  std::chrono::milliseconds scan_interval = std::chrono::minutes(10);
  // The hashed baseline file (in the agent data dir). Required, absolute.
  std::string baseline_path;
  // First start without a baseline: report every existing file as CREATED (true) or build the
  // baseline silently and log how many files it holds (false).
  bool report_existing = false;
  // A file that is only modified (no IN_CLOSE_WRITE; on Windows: every file) is reported after
  // this much quiet.
  std::chrono::milliseconds settle = std::chrono::milliseconds(500);
  // Bounds: folders watched with inotify (Windows: root handles, each watching its whole tree),
  // files tracked per full scan.
  size_t max_watches = 8192;
  size_t max_files = 1'000'000;
};

// Problems with the section, all of them, each prefixed with `where` ("sources[3]"). OK when
// the config can be used.
[[nodiscard]] absl::Status ValidateFimConfig(const FimConfig& config, std::string_view where);

// Which paths a FIM source tracks (FimConfig include_extensions / exclude_globs). Immutable after
// construction; safe to share.
class PathFilter {
 public:
  PathFilter(std::vector<std::string> include_extensions, std::vector<std::string> exclude_globs);

  bool IncludeFile(std::string_view path) const;
  bool IncludeDir(std::string_view path) const;
  // IncludeDir of every folder strictly between `root` and `path` (which is below `root`): a
  // subtree watch reports changes inside excluded folders too.
  bool IncludeFoldersBetween(std::string_view root, std::string_view path,
                             char sep = kPathSeparator) const;

 private:
  bool Excluded(std::string_view path) const;

  std::vector<std::string> extensions_;
  std::vector<std::string> excludes_;
};

// "shell.ASPX" -> "aspx"; "" when the name has no extension.
std::string LowerExtension(std::string_view path);
// True when `path` is `dir` or below it (byte-exact: the FIM spells every path from its
// normalized root, so one file has one spelling).
bool PathUnder(std::string_view path, std::string_view dir, char sep = kPathSeparator);

}  // namespace tripline::agent
