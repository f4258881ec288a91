#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/parsers/parser.h"
#include "agent/sources/file/file_tailer.h"
#include "agent/sources/source.h"

namespace tripline::agent {

struct FileSourceConfig {
  std::string name;
  std::vector<std::string> paths;    // glob patterns (IIS W3SVC*/u_ex*.log, HttpProxy/*/*.LOG, ...)
  std::vector<std::string> exclude;  // fnmatch patterns on the full path
  std::string format;                // a name from ParserFormats()
  size_t max_line_bytes = 64 * 1024;
  FileEncoding encoding = FileEncoding::kAuto;
  bool start_at_end = false;  // files found at the very first start: skip what they hold
  std::chrono::milliseconds discover_interval{1000};
  size_t max_open_files = 512;
  // Ship the raw line as event.original with every record (true), or only with lines the parser
  // rejected (false: ~40% smaller IIS events; every column is still in the typed body).
  bool keep_original = true;
  // The Sigma logsource of what this source reads (agent.yaml `logsource:`), copied into every
  // event's source.logsource so that the correlator routes it; empty: derived from the body.
  v1::DeclaredLogsource logsource;
};

// The envelope every event of this agent carries.
struct AgentIdentity {
  std::string agent_id;
  v1::Host host;
};

// Follows every file matching the configured globs: new files are read from their head, known
// files resume from their durable offset, renamed files are followed by identity, deleted files
// are read to their end, truncated or rewritten files (copytruncate) start over.
//
// File identity: (device, inode) plus a SHA-256 fingerprint of the file's first bytes (up to
// 1 KiB, which covers IIS's `#Date:` line), so an inode reused by a new file, or a file rewritten
// in place, is not mistaken for the old one. Each line is parsed by the configured parser and
// wrapped in the Event envelope (event_id = hash(agent, inode id + fingerprint, offset)); a line
// the parser rejects is shipped as an AppLog labelled `parse_error` and counted.
//
// State (DurableState): text, one line per file: `inode_id \t offset \t head_len \t head_sha256
// \t path`, after a `tripline-file-state v1` line.
class FileSource final : public Source {
 public:
  FileSource(FileSourceConfig config, const AgentIdentity* identity);
  ~FileSource() override;

  const std::string& name() const override { return config_.name; }
  absl::Status Start(std::string_view saved_state) override;
  absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }
  uint64_t LagBytes() const override;

  // Files currently followed (for metrics and tests).
  size_t open_files() const { return files_.size(); }

 private:
  struct Tracked;
  struct Saved {
    uint64_t offset = 0;
    size_t head_len = 0;
    std::string head_hash;
    std::string path;
  };

  void Discover();
  void Track(const std::string& path);
  void CheckHead(Tracked& file);
  void Fingerprint(Tracked& file);
  void SetFileId(Tracked& file) const;  // file_id and id_key from inode_id and head_hash
  void ReplayHeader(Tracked& file, uint64_t offset);
  absl::Status OnLine(Tracked& file, const TailedLine& line, const EmitFn& emit);
  void ResetEvent(const Parser& parser);
  void FillEnvelope(const Tracked& file, const TailedLine& line);
  void SetOriginal(const TailedLine& line);
  void Retire();

  FileSourceConfig config_;
  const AgentIdentity* identity_;
  bool declares_logsource_;
  std::map<std::string, std::unique_ptr<Tracked>> files_;  // by inode id
  std::map<std::string, Saved> saved_;                     // durable state, by inode id
  struct Pending {
    uint64_t seq;
    std::string inode_id;
    uint64_t generation;
    uint64_t end_offset;
  };
  std::deque<Pending> pending_;  // emitted, not yet durable
  uint64_t emitted_ = 0;
  bool first_start_ = true;
  std::chrono::steady_clock::time_point next_discovery_{};
  google::protobuf::Timestamp observed_;  // when the current poll started
  SourceCounters counters_;
  v1::Event event_;  // reused for every record
  // The Event field of the body kind last reset (looked up once per kind, not once per line).
  v1::Event::BodyCase body_kind_ = v1::Event::BODY_NOT_SET;
  const google::protobuf::FieldDescriptor* body_field_ = nullptr;
};

}  // namespace tripline::agent
