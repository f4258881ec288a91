#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "agent/sources/fim/file_hasher.h"
#include "common/status.h"

namespace tripline::agent {

struct BaselineEntry {
  FileStat stat;
  std::string sha256;      // empty: the file could not be read when last seen
  bool truncated = false;  // sha256 covers only the first max_hash_bytes
};

// The hashed picture of the watched trees: path -> (size, mtime, ctime, sha256), plus the last
// durable event sequence number of the source, so that event ids are never reused after a
// restart even if the agent's own state file is older than this one.
//
// File format (text, UTF-8 paths, one record per line, '\n' line ends):
//
//   tripline-fim-baseline 1
//   seq <last durable sequence number>
//   count <number of entries>
//   <sha256 hex or '-'> \t <size> \t <mtime ns> \t <ctime ns> \t <flags> \t <path>   (x count)
//   checksum <sha256 hex of every byte before this line>
//
// flags: '-' or 't' (hash truncated). Paths are escaped: '%' and bytes < 0x20 or 0x7f as %XX.
// Save() replaces the file with WriteFileAtomically (common/file_util.h: `<path>.tmp`, synced,
// renamed over `<path>`), so a crash leaves either the old or the new file, never a torn one;
// Load() rejects any file whose header, count or checksum does not match.
//
// A plain value type; not thread-safe.
class Baseline {
 public:
  std::map<std::string, BaselineEntry>& entries() { return entries_; }
  const std::map<std::string, BaselineEntry>& entries() const { return entries_; }
  uint64_t seq() const { return seq_; }
  void set_seq(uint64_t seq) { seq_ = seq; }

  const BaselineEntry* Find(const std::string& path) const;
  void Set(const std::string& path, BaselineEntry entry) { entries_[path] = std::move(entry); }
  void Erase(const std::string& path) { entries_.erase(path); }

  std::string Serialize() const;
  [[nodiscard]] static absl::StatusOr<Baseline> Parse(std::string_view text);

  // NotFound when the file does not exist; DataLoss when it is damaged.
  [[nodiscard]] static absl::StatusOr<Baseline> Load(const std::string& path);
  [[nodiscard]] absl::Status Save(const std::string& path) const;

 private:
  std::map<std::string, BaselineEntry> entries_;
  uint64_t seq_ = 0;
};

}  // namespace tripline::agent
