#include "agent/sources/file/file_source.h"

#include <charconv>
#include <sstream>

#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "common/platform/file.h"
#include "common/time_util.h"
#include "common/utf8.h"

namespace tripline::agent {
namespace {

constexpr size_t kFingerprintBytes = 1024;
constexpr size_t kMaxOriginalBytes = 16 * 1024;
constexpr std::string_view kStateMagic = "tripline-file-state v1";

// Logs the first few problems of a kind, then one in every thousand.
bool ShouldLog(uint64_t count) { return count <= 10 || count % 1000 == 0; }

const char* EncodingName(FileEncoding encoding) {
  return encoding == FileEncoding::kUtf16Le ? "UTF-16" : "UTF-8";
}

}  // namespace

struct FileSource::Tracked {
  std::unique_ptr<FileTailer> tailer;
  std::unique_ptr<Parser> parser;
  std::string inode_id;
  size_t head_len = 0;     // bytes covered by head_hash (0: file was empty, not fingerprinted)
  std::string head_hash;   // SHA-256 hex of the first head_len bytes
  std::string file_id;     // inode id + fingerprint: the event_id's file component
  EventIdKey id_key;       // the event ids' part derived from the agent id and file_id
  uint64_t generation = 0; // bumped when the file starts over (truncation, rewrite)
  bool seen = true;        // found by the last discovery under a matching path
  int idle_discoveries = 0;
  uint64_t in_flight = 0;  // records emitted from this file, not yet durable
  // The event time of the file's last record that had one: a line without a time of its own (a
  // line the parser rejects, a format without timestamps) belongs to that moment, not to now,
  // so that replaying an old log does not move the correlator's watermark to today.
  int64_t last_seconds = 0;
  int32_t last_nanos = 0;
};

FileSource::FileSource(FileSourceConfig config, const AgentIdentity* identity)
    : config_(std::move(config)),
      identity_(identity),
      declares_logsource_(!config_.logsource.product().empty() ||
                          !config_.logsource.category().empty() ||
                          !config_.logsource.service().empty()) {}

FileSource::~FileSource() = default;

absl::Status FileSource::Start(std::string_view state) {
  first_start_ = state.empty();
  if (state.empty()) return absl::OkStatus();
  std::istringstream in{std::string(state)};
  std::string line;
  if (!std::getline(in, line) || line != kStateMagic) {
    return absl::DataLossError("source " + config_.name + ": unreadable saved state");
  }
  while (std::getline(in, line)) {
    std::vector<std::string> parts;
    size_t pos = 0;
    for (int i = 0; i < 4; ++i) {
      size_t tab = line.find('\t', pos);
      if (tab == std::string::npos) break;
      parts.push_back(line.substr(pos, tab - pos));
      pos = tab + 1;
    }
    if (parts.size() != 4) return absl::DataLossError("source " + config_.name + ": bad state line");
    Saved s;
    s.offset = std::stoull(parts[1]);
    s.head_len = std::stoull(parts[2]);
    s.head_hash = parts[3];
    s.path = line.substr(pos);
    saved_[parts[0]] = std::move(s);
  }
  return absl::OkStatus();
}

void FileSource::Fingerprint(Tracked& file) {
  auto head = file.tailer->ReadAt(0, kFingerprintBytes);
  std::string bytes = head.ok() ? *head : std::string();
  file.head_len = bytes.size();
  file.head_hash = Sha256Hex(bytes);
  SetFileId(file);
}

void FileSource::SetFileId(Tracked& file) const {
  file.file_id = file.inode_id + "/" + file.head_hash.substr(0, 16);
  file.id_key = EventIdKey(identity_->agent_id, file.file_id);
}

void FileSource::ReplayHeader(Tracked& file, uint64_t offset) {
  // Header-driven parsers need the directives before the resume point (IIS `#Fields:`, CSV
  // header lines): read the part of the file before it once and show them its header lines:
  // every `#` directive, and every line of the first 64 KiB (CSV exports put a plain header on
  // their first lines).
  FileTailer replay(file.tailer->path(), config_.max_line_bytes, FileEncoding::kAuto);
  if (!replay.Open().ok()) return;
  v1::Event scratch;
  (void)replay.Poll(offset, [&](const TailedLine& line) {
    if (line.end_offset <= offset && (line.offset < 64 * 1024 || line.text.substr(0, 1) == "#")) {
      (void)file.parser->Parse(line.text, scratch);
    }
    return absl::OkStatus();
  });
}

void FileSource::Track(const std::string& path) {
  if (files_.size() >= config_.max_open_files) {
    if (ShouldLog(++counters_.read_errors)) {
      spdlog::warn("source {}: {} files open (max_open_files), not following {} yet", config_.name,
                   files_.size(), path);
    }
    return;
  }
  auto file = std::make_unique<Tracked>();
  file->tailer = std::make_unique<FileTailer>(path, config_.max_line_bytes, config_.encoding);
  if (absl::Status st = file->tailer->Open(); !st.ok()) {
    if (ShouldLog(++counters_.read_errors)) spdlog::warn("source {}: {}", config_.name, st.ToString());
    return;
  }
  file->parser = MakeParser(config_.format);
  file->inode_id = file->tailer->inode_id();
  uint64_t size = file->tailer->Size().value_or(0);
  auto saved = saved_.find(file->inode_id);
  bool resume = false;
  if (saved != saved_.end() && saved->second.offset <= size) {
    // The file grew since: compare over the length the saved fingerprint covered.
    auto head = file->tailer->ReadAt(0, saved->second.head_len);
    resume = head.ok() && head->size() == saved->second.head_len &&
             Sha256Hex(*head) == saved->second.head_hash;
  }
  if (resume) {
    spdlog::info("source {}: resuming {} at offset {}", config_.name, path, saved->second.offset);
    file->head_len = saved->second.head_len;
    file->head_hash = saved->second.head_hash;
    SetFileId(*file);
    file->tailer->Seek(saved->second.offset);
    ReplayHeader(*file, saved->second.offset);
  } else {
    if (saved != saved_.end()) {
      spdlog::info("source {}: {} is not the file saved under its inode, reading it from the start",
                   config_.name, path);
      saved_.erase(saved);
    }
    Fingerprint(*file);
    if (first_start_ && config_.start_at_end) {
      file->tailer->Seek(size);
      ReplayHeader(*file, size);
    }
  }
  spdlog::debug("source {}: following {}", config_.name, path);
  files_[file->inode_id] = std::move(file);
}

void FileSource::CheckHead(Tracked& file) {
  auto size = file.tailer->Size();
  if (!size.ok()) return;
  bool restart = *size < file.tailer->line_offset();
  if (!restart && file.head_len < kFingerprintBytes && *size > file.head_len &&
      file.tailer->line_offset() == 0) {
    Fingerprint(file);  // nothing read yet: a longer fingerprint costs nothing
    return;
  }
  if (!restart && file.head_len > 0) {
    auto head = file.tailer->ReadAt(0, file.head_len);
    restart = !head.ok() || Sha256Hex(*head) != file.head_hash;
  }
  if (!restart) return;
  spdlog::info("source {}: {} was truncated or rewritten, reading it from the start", config_.name,
               file.tailer->path());
  file.tailer->Restart();
  file.parser->Reset();
  ++file.generation;
  saved_.erase(file.inode_id);
  Fingerprint(file);
}

void FileSource::Discover() {
  for (auto& [id, file] : files_) file->seen = false;
  for (const auto& pattern : config_.paths) {
    for (std::string& path : platform::Glob(pattern)) {
      bool excluded = false;
      for (const auto& ex : config_.exclude) excluded |= platform::GlobMatch(ex, path);
      if (excluded) continue;
      absl::StatusOr<std::string> id = platform::RegularFileId(path);
      if (!id.ok()) continue;
      auto it = files_.find(*id);
      if (it == files_.end()) {
        Track(path);
      } else {
        it->second->seen = true;
        if (it->second->tailer->path() != path) it->second->tailer->set_path(path);  // renamed
      }
    }
  }
  for (auto& [id, file] : files_) CheckHead(*file);
  first_start_ = false;
}

absl::StatusOr<size_t> FileSource::Poll(size_t budget, const EmitFn& emit) {
  auto now = std::chrono::steady_clock::now();
  // Every line of this poll was observed now: one clock read per poll (at most `budget` bytes,
  // a few milliseconds), not one per line.
  observed_ = NowTimestamp();
  if (now >= next_discovery_) {
    Discover();
    Retire();
    next_discovery_ = now + config_.discover_interval;
  }
  size_t total = 0;
  size_t per_file = std::max<size_t>(64 * 1024, budget / std::max<size_t>(files_.size(), 1));
  for (auto& [id, file] : files_) {
    Tracked& f = *file;
    auto n = f.tailer->Poll(per_file, [&](const TailedLine& line) { return OnLine(f, line, emit); });
    if (!n.ok()) {
      if (absl::IsResourceExhausted(n.status()) || absl::IsUnavailable(n.status())) return n;
      if (ShouldLog(++counters_.read_errors)) {
        spdlog::warn("source {}: {}", config_.name, n.status().ToString());
      }
      continue;
    }
    total += *n;
    if (total >= budget) break;
  }
  counters_.bytes += total;
  return total;
}

// Event::Clear() deletes the sub-messages of a proto3 message and its oneof body, so reusing
// one Event would still allocate a dozen objects and strings per line. The sub-messages every
// record carries (host, source, observed_time, event_time) are kept and cleared instead, and the
// body too when the parser writes the same kind for every record; their string buffers are then
// reused by the next line. A kept event_time is zero until the parser sets it (OnLine() falls back
// to the file's previous record time, else observed_time, for a zero time as for a missing one).
void FileSource::ResetEvent(const Parser& parser) {
  std::unique_ptr<v1::Host> host(event_.has_host() ? event_.release_host() : nullptr);
  std::unique_ptr<v1::Source> source(event_.has_source() ? event_.release_source() : nullptr);
  using Ts = google::protobuf::Timestamp;
  std::unique_ptr<Ts> observed(event_.has_observed_time() ? event_.release_observed_time() : nullptr);
  std::unique_ptr<Ts> time(event_.has_event_time() ? event_.release_event_time() : nullptr);
  v1::Event::BodyCase kind = parser.body();
  if (kind != body_kind_) {
    body_kind_ = kind;
    body_field_ = kind == v1::Event::BODY_NOT_SET
                      ? nullptr
                      : v1::Event::descriptor()->FindFieldByNumber(static_cast<int>(kind));
  }
  const google::protobuf::FieldDescriptor* field =
      kind != event_.body_case() ? nullptr : body_field_;
  const google::protobuf::Reflection* reflection = v1::Event::GetReflection();
  std::unique_ptr<google::protobuf::Message> body(
      field != nullptr ? reflection->ReleaseMessage(&event_, field) : nullptr);
  event_.Clear();
  if (host) event_.set_allocated_host(host.release());  // overwritten from the identity
  if (source) {
    // Keep the declared logsource's buffers across records (FillEnvelope overwrites it).
    std::unique_ptr<v1::DeclaredLogsource> declared(
        source->has_logsource() ? source->release_logsource() : nullptr);
    source->Clear();
    if (declared) source->set_allocated_logsource(declared.release());
    event_.set_allocated_source(source.release());
  }
  if (observed) event_.set_allocated_observed_time(observed.release());  // overwritten
  if (time) {
    time->Clear();
    event_.set_allocated_event_time(time.release());
  }
  if (body) {
    body->Clear();
    reflection->SetAllocatedMessage(&event_, body.release(), field);
  }
}

void FileSource::FillEnvelope(const Tracked& file, const TailedLine& line) {
  ResetEvent(*file.parser);
  file.id_key.IdTo(line.offset, event_.mutable_event_id());
  event_.set_agent_id(identity_->agent_id);
  // The identity is fixed for the life of the source and ResetEvent() keeps the host.
  if (!event_.has_host()) *event_.mutable_host() = identity_->host;
  *event_.mutable_observed_time() = observed_;
  v1::Source* src = event_.mutable_source();
  src->set_kind(v1::Source::KIND_FILE);
  src->set_name(config_.name);
  src->set_path(file.tailer->path());
  src->set_file_id(file.file_id);
  src->set_position(line.offset);
  src->set_format(config_.format);
  if (declares_logsource_) *src->mutable_logsource() = config_.logsource;
  if (config_.keep_original) SetOriginal(line);
}

void FileSource::SetOriginal(const TailedLine& line) {
  std::string_view original = Utf8Prefix(line.text, kMaxOriginalBytes);
  event_.mutable_original()->assign(original);
  event_.set_original_truncated(line.truncated || original.size() < line.text.size());
}

absl::Status FileSource::OnLine(Tracked& file, const TailedLine& line, const EmitFn& emit) {
  FillEnvelope(file, line);
  absl::StatusOr<LineKind> kind = file.parser->Parse(line.text, event_);
  if (!kind.ok()) {
    if (ShouldLog(counters_.parse_errors + 1)) {
      spdlog::warn("source {}: {} offset {}: {} (shipped unparsed)", config_.name,
                   file.tailer->path(), line.offset, std::string(kind.status().message()));
    }
    event_.mutable_app()->set_message(std::string(line.text));
    // Messages quote a few bytes of the line, which may end inside a character.
    (*event_.mutable_labels())["parse_error"] = RepairedUtf8(std::string(kind.status().message()));
    if (!config_.keep_original) SetOriginal(line);
  } else if (*kind == LineKind::kSkipped) {
    return absl::OkStatus();
  }
  if (line.truncated) (*event_.mutable_labels())["truncated"] = "true";
  if (line.encoding_errors > 0) {
    (*event_.mutable_labels())["encoding_error"] = std::to_string(line.encoding_errors) +
                                                    " invalid " +
                                                    EncodingName(file.tailer->encoding()) +
                                                    " sequence(s) replaced by U+FFFD";
  }
  if (!event_.has_event_time() ||
      (event_.event_time().seconds() == 0 && event_.event_time().nanos() == 0)) {
    if (file.last_seconds != 0 || file.last_nanos != 0) {
      event_.mutable_event_time()->set_seconds(file.last_seconds);
      event_.mutable_event_time()->set_nanos(file.last_nanos);
    } else {
      *event_.mutable_event_time() = event_.observed_time();
    }
  } else {
    file.last_seconds = event_.event_time().seconds();
    file.last_nanos = event_.event_time().nanos();
  }
  TRIPLINE_RETURN_IF_ERROR(emit(event_));
  if (!kind.ok()) ++counters_.parse_errors;
  if (line.encoding_errors > 0 && ShouldLog(++counters_.encoding_errors)) {
    spdlog::warn("source {}: {} offset {}: {} invalid {} sequence(s) replaced by U+FFFD",
                 config_.name, file.tailer->path(), line.offset, line.encoding_errors,
                 EncodingName(file.tailer->encoding()));
  }
  if (line.truncated && ShouldLog(++counters_.truncated)) {
    spdlog::warn("source {}: {} offset {}: line longer than {} bytes, cut", config_.name,
                 file.tailer->path(), line.offset, config_.max_line_bytes);
  }
  ++counters_.records;
  pending_.push_back(Pending{emitted_++, file.inode_id, file.generation, line.end_offset});
  ++file.in_flight;
  return absl::OkStatus();
}

std::string FileSource::DurableState(uint64_t count) {
  while (!pending_.empty() && pending_.front().seq < count) {
    const Pending& p = pending_.front();
    auto it = files_.find(p.inode_id);
    if (it != files_.end()) --it->second->in_flight;
    if (it != files_.end() && it->second->generation == p.generation) {
      Saved& s = saved_[p.inode_id];
      s.offset = p.end_offset;
      s.head_len = it->second->head_len;
      s.head_hash = it->second->head_hash;
      s.path = it->second->tailer->path();
    }
    pending_.pop_front();
  }
  std::string out(kStateMagic);
  out += '\n';
  for (const auto& [id, s] : saved_) {
    out += id + '\t' + std::to_string(s.offset) + '\t' + std::to_string(s.head_len) + '\t' +
           s.head_hash + '\t' + s.path + '\n';
  }
  return out;
}

// Stops following files that are gone (deleted, or rotated to a name no pattern matches) once
// they were read to their end and nothing read from them is still waiting to become durable.
// Saved positions of files that no longer exist are forgotten at the first discovery.
void FileSource::Retire() {
  for (auto it = files_.begin(); it != files_.end();) {
    Tracked& f = *it->second;
    auto size = f.tailer->Size();
    bool at_end = size.ok() && f.tailer->line_offset() >= *size;
    f.idle_discoveries = at_end ? f.idle_discoveries + 1 : 0;
    // Two quiet discoveries give a writer that renamed the file time for its last lines.
    if (!f.seen && f.idle_discoveries >= 2 && f.in_flight == 0) {
      spdlog::info("source {}: {} is gone and was read to its end", config_.name, f.tailer->path());
      saved_.erase(it->first);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = saved_.begin(); it != saved_.end();) {
    it = files_.count(it->first) ? std::next(it) : saved_.erase(it);
  }
}

uint64_t FileSource::LagBytes() const {
  uint64_t lag = 0;
  for (const auto& [id, f] : files_) {
    auto size = f->tailer->Size();
    if (size.ok() && *size > f->tailer->line_offset()) lag += *size - f->tailer->line_offset();
  }
  return lag;
}

}  // namespace tripline::agent
