#include "agent/sources/file/file_source.h"

#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::agent {
namespace {

constexpr size_t kMaxOriginalBytes = 16 * 1024;

// Logs the first few problems of a kind, then one in every thousand.
bool ShouldLog(uint64_t count) { return count <= 10 || count % 1000 == 0; }

}  // namespace

FileSource::FileSource(FileSourceConfig config, const AgentIdentity* identity)
    : config_(std::move(config)),
      identity_(identity),
      tailer_(config_.path, config_.max_line_bytes),
      parser_(MakeParser(config_.format)) {}

void FileSource::Resume(const Checkpoint& checkpoint) {
  tailer_.Resume(checkpoint.file_id, checkpoint.offset);
  replay_head_ = checkpoint.offset > 0;
  resume_offset_ = checkpoint.offset;
}

absl::StatusOr<size_t> FileSource::Poll(size_t budget, const EmitFn& emit) {
  absl::Status emit_status = absl::OkStatus();
  auto on_line = [&](const TailedLine& line) {
    if (emit_status.ok()) emit_status = OnLine(line, emit);
  };
  auto on_restart = [&](TailRestart why) {
    parser_->Reset();
    if (why != TailRestart::kNone) {
      spdlog::info("source {}: {} {}, reading from its start", config_.name, config_.path,
                   why == TailRestart::kTruncated ? "was truncated" : "was replaced");
    }
  };
  if (replay_head_) {
    // Resuming mid-file: the header directives before the checkpoint still decide the layout.
    replay_head_ = false;
    v1::Event scratch;
    TRIPLINE_RETURN_IF_ERROR(tailer_.ReadHead(resume_offset_, [&](const TailedLine& line) {
      if (!line.text.empty() && line.text.front() == '#') (void)parser_->Parse(line.text, scratch);
    }));
  }
  TRIPLINE_ASSIGN_OR_RETURN(size_t n, tailer_.Poll(budget, on_line, on_restart));
  counters_.bytes += n;
  TRIPLINE_RETURN_IF_ERROR(emit_status);
  return n;
}

void FileSource::FillEnvelope(const TailedLine& line) {
  event_.Clear();
  event_.set_event_id(EventId(identity_->agent_id, tailer_.file_id(), line.offset));
  event_.set_agent_id(identity_->agent_id);
  *event_.mutable_host() = identity_->host;
  *event_.mutable_observed_time() = NowTimestamp();
  v1::Source* src = event_.mutable_source();
  src->set_kind(v1::Source::KIND_FILE);
  src->set_name(config_.name);
  src->set_path(config_.path);
  src->set_file_id(tailer_.file_id());
  src->set_position(line.offset);
  src->set_format(config_.format);
  std::string_view original = line.text.substr(0, kMaxOriginalBytes);
  event_.set_original(std::string(original));
  event_.set_original_truncated(line.truncated || original.size() < line.text.size());
}

absl::Status FileSource::OnLine(const TailedLine& line, const EmitFn& emit) {
  ++counters_.lines;
  if (line.truncated) {
    ++counters_.truncated_lines;
    if (ShouldLog(counters_.truncated_lines)) {
      spdlog::warn("source {}: {} offset {}: line longer than {} bytes, cut", config_.name,
                   config_.path, line.offset, config_.max_line_bytes);
    }
  }
  FillEnvelope(line);
  absl::StatusOr<LineKind> kind = parser_->Parse(line.text, event_);
  if (!kind.ok()) {
    ++counters_.parse_errors;
    if (ShouldLog(counters_.parse_errors)) {
      spdlog::warn("source {}: {} offset {}: {} (shipped unparsed)", config_.name, config_.path,
                   line.offset, std::string(kind.status().message()));
    }
    event_.mutable_app()->set_message(std::string(line.text));
    (*event_.mutable_labels())["parse_error"] = std::string(kind.status().message());
  } else if (*kind == LineKind::kSkipped) {
    return absl::OkStatus();
  }
  if (!event_.has_event_time()) *event_.mutable_event_time() = event_.observed_time();
  ++counters_.records;
  return emit(SourceRecord{event_, tailer_.file_id(), line.end_offset});
}

}  // namespace tripline::agent
