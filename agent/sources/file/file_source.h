#pragma once

#include <memory>
#include <string>

#include "agent/parsers/parser.h"
#include "agent/sources/file/file_tailer.h"
#include "agent/sources/source.h"

namespace tripline::agent {

struct FileSourceConfig {
  std::string name;
  std::string path;
  std::string format;  // a name from ParserFormats()
  size_t max_line_bytes = 64 * 1024;
};

// The envelope every event of this agent carries.
struct AgentIdentity {
  std::string agent_id;
  v1::Host host;
};

// Tails one file, parses each line with the configured parser and wraps it in the Event envelope:
// deterministic event_id (agent id, file id, line offset), host, source position, the original
// line. A line the parser rejects is still shipped, as an AppLog event labelled `parse_error`,
// and counted: nothing is dropped silently.
class FileSource final : public Source {
 public:
  FileSource(FileSourceConfig config, const AgentIdentity* identity);

  const std::string& name() const override { return config_.name; }
  void Resume(const Checkpoint& checkpoint) override;
  absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  const SourceCounters& counters() const override { return counters_; }

 private:
  absl::Status OnLine(const TailedLine& line, const EmitFn& emit);
  void FillEnvelope(const TailedLine& line);

  FileSourceConfig config_;
  const AgentIdentity* identity_;
  FileTailer tailer_;
  std::unique_ptr<Parser> parser_;
  SourceCounters counters_;
  v1::Event event_;  // reused for every record
  bool replay_head_ = false;
  uint64_t resume_offset_ = 0;
};

}  // namespace tripline::agent
