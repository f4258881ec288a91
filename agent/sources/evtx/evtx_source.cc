#include "agent/sources/evtx/evtx_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>
#include <unordered_set>

#include "agent/normalize/windows/windows_time.h"
#include "agent/sources/evtx/evtx_chunks.h"
#include "agent/sources/evtx/evtx_file.h"
#include "agent/sources/evtx/evtx_xml_reader.h"
#include "agent/sources/evtx/original_xml.h"
#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::agent {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStateHeader = "tripline-evtx-state v1";
constexpr size_t kFileHeaderBytes = 4096;
constexpr size_t kChunkBytes = 64 * 1024;

// Logs the first few problems of a kind, then one in every thousand.
bool ShouldLog(uint64_t count) { return count <= 10 || count % 1000 == 0; }

bool IsEvtx(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return ext == ".evtx";
}

std::vector<std::string> ListFiles(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) return {root};
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    std::error_code entry_ec;
    if (entry.is_regular_file(entry_ec) && IsEvtx(entry.path())) {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// libevtx renders HexInt32/HexInt64 values zero-padded ("0x001fffff", "0x0000000000013529");
// Windows renders them without padding ("0x1fffff"), and Sigma rules match that form
// (GrantedAccess: '0x1fffff'). Strips the padding of values of exactly 8 or 16 hex digits.
void UnpadHex(WindowsEventRecord& record) {
  for (auto& [name, value] : record.data) {
    if ((value.size() != 10 && value.size() != 18) || value[0] != '0' || value[1] != 'x' ||
        value[2] != '0' ||
        value.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos) {
      continue;
    }
    size_t first = value.find_first_not_of('0', 2);
    value.erase(2, (first == std::string::npos ? value.size() - 1 : first) - 2);  // "0x0" stays
  }
}

bool ParseU64(std::string_view text, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

}  // namespace

EvtxSource::EvtxSource(EvtxSourceConfig config, std::string agent_id, v1::Host host)
    : config_(std::move(config)), agent_id_(std::move(agent_id)), host_(std::move(host)) {}

EvtxSource::~EvtxSource() = default;

absl::Status EvtxSource::Start(std::string_view saved_state) {
  size_t line_no = 0;
  while (!saved_state.empty()) {
    size_t nl = saved_state.find('\n');
    std::string_view line = saved_state.substr(0, nl);
    saved_state = nl == std::string_view::npos ? std::string_view() : saved_state.substr(nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kStateHeader) {
        return absl::InvalidArgumentError("evtx source " + config_.name +
                                          ": saved state is not '" + std::string(kStateHeader) +
                                          "'");
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string_view> parts;
    for (int i = 0; i < 3; ++i) {
      size_t tab = line.find('\t');
      if (tab == std::string_view::npos) break;
      parts.push_back(line.substr(0, tab));
      line.remove_prefix(tab + 1);
    }
    Cursor cursor;
    if (parts.size() != 3 || line.empty() || !ParseU64(parts[0], cursor.record_id) ||
        !ParseU64(parts[1], cursor.filetime)) {
      return absl::InvalidArgumentError("evtx source " + config_.name + ": saved state line " +
                                        std::to_string(line_no) + " is malformed");
    }
    cursor.file_id = std::string(parts[2]);
    durable_[std::string(line)] = std::move(cursor);
  }
  return absl::OkStatus();
}

std::string EvtxSource::DurableState(uint64_t count) {
  while (!pending_.empty() && pending_.front().seq < count) {
    durable_[pending_.front().path] = std::move(pending_.front().cursor);
    pending_.pop_front();
  }
  std::string state(kStateHeader);
  state += '\n';
  for (const auto& [path, c] : durable_) {
    state += std::to_string(c.record_id) + '\t' + std::to_string(c.filetime) + '\t' + c.file_id +
             '\t' + path + '\n';
  }
  return state;
}

absl::StatusOr<size_t> EvtxSource::Poll(size_t budget, const EmitFn& emit) {
  auto now = std::chrono::steady_clock::now();
  if (now >= next_scan_) {
    Scan();
    next_scan_ = now + config_.poll_interval;
  }
  size_t consumed = 0;
  for (auto& [path, tracked] : files_) {
    while (tracked.next < tracked.plan.size() && (consumed < budget || consumed == 0)) {
      TRIPLINE_RETURN_IF_ERROR(EmitNext(tracked, consumed, emit));
    }
    if (tracked.next >= tracked.plan.size()) {
      tracked.file.reset();  // done with it until it changes
      tracked.plan.clear();
      tracked.next = 0;
    }
    if (consumed >= budget && consumed > 0) break;
  }
  return consumed;
}

void EvtxSource::Scan() {
  std::vector<std::string> paths = ListFiles(config_.path);
  std::unordered_set<std::string> present(paths.begin(), paths.end());
  for (auto it = files_.begin(); it != files_.end();) {
    it = present.count(it->first) ? std::next(it) : files_.erase(it);
  }
  for (const std::string& path : paths) {
    std::error_code ec;
    uintmax_t size = fs::file_size(path, ec);
    if (ec) continue;
    int64_t mtime = fs::last_write_time(path, ec).time_since_epoch().count();
    Tracked& tracked = files_[path];
    if (tracked.next < tracked.plan.size()) continue;  // still reading the last index
    if (tracked.indexed && tracked.size == size && tracked.mtime == mtime) continue;
    tracked.path = path;
    tracked.size = size;
    tracked.mtime = mtime;
    Index(tracked);
  }
}

void EvtxSource::Index(Tracked& tracked) {
  bool first_index = !tracked.indexed;
  tracked.indexed = true;
  CheckChunks(tracked);
  auto file = EvtxFile::Open(tracked.path);
  if (!file.ok()) {
    ++counters_.read_errors;
    spdlog::warn("source {}: {}", config_.name, std::string(file.status().message()));
    return;
  }
  std::vector<Planned> records = ListRecords(tracked, **file);
  if (first_index) {
    auto saved = durable_.find(tracked.path);
    if (saved != durable_.end()) tracked.emitted = saved->second;
  }
  tracked.emitted = ResumePoint(tracked, records);
  // The fingerprint of this log: its oldest record, which stays while the log grows.
  tracked.emitted.file_id =
      records.empty() ? StableId({"evtx", tracked.path})
                      : StableId({"evtx", tracked.path, std::to_string(records.front().record_id),
                                  std::to_string(records.front().filetime)});
  tracked.plan.clear();
  for (const Planned& p : records) {
    if (p.record_id > tracked.emitted.record_id) tracked.plan.push_back(p);
  }
  tracked.next = 0;
  if (!tracked.plan.empty()) tracked.file = std::move(*file);
}

// libevtx drops a chunk it cannot read (or lists its records as recovered ones) without a word:
// each damaged chunk is counted and logged once per file, the other chunks are read as usual.
void EvtxSource::CheckChunks(Tracked& tracked) {
  std::set<size_t> damaged;
  for (const EvtxChunkDamage& d : FindDamagedChunks(tracked.path)) {
    damaged.insert(d.index);
    if (tracked.damaged_chunks.count(d.index) != 0) continue;  // reported at an earlier index
    ++counters_.read_errors;
    if (ShouldLog(counters_.read_errors)) {
      spdlog::warn(
          "source {}: {}: chunk {} (from byte {}) is damaged: {}; its records are lost or "
          "read only as recovered records",
          config_.name, tracked.path, d.index, kFileHeaderBytes + d.index * kChunkBytes, d.reason);
    }
  }
  tracked.damaged_chunks = std::move(damaged);
}

std::vector<EvtxSource::Planned> EvtxSource::ListRecords(Tracked& tracked, const EvtxFile& file) {
  std::vector<Planned> records;
  std::unordered_set<uint64_t> ids;
  std::set<int> unreadable;  // counted once per file, not again each time it is indexed
  for (bool recovered : {false, true}) {
    if (recovered && !config_.read_recovered) break;
    int count = file.RecordCount(recovered);
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<EvtxRecordInfo> info = file.Info(i, recovered);
      if (!info.ok()) {
        if (recovered) {
          ++recovered_unreadable_;
          continue;
        }
        unreadable.insert(i);
        if (tracked.unreadable_headers.count(i) != 0) continue;
        ++counters_.read_errors;
        if (ShouldLog(counters_.read_errors)) {
          spdlog::warn("source {}: {} record index {}: {}", config_.name, tracked.path, i,
                       std::string(info.status().message()));
        }
        continue;
      }
      // A recovered copy of a record the file still holds is the same record.
      if (!ids.insert(info->record_id).second) continue;
      records.push_back({info->record_id, info->written_filetime, i, recovered});
    }
  }
  tracked.unreadable_headers = std::move(unreadable);
  std::sort(records.begin(), records.end(),
            [](const Planned& a, const Planned& b) { return a.record_id < b.record_id; });
  return records;
}

EvtxSource::Cursor EvtxSource::ResumePoint(const Tracked& tracked,
                                           const std::vector<Planned>& records) const {
  const Cursor& last = tracked.emitted;
  if (last.record_id == 0) return last;
  auto start_over = [&] {
    spdlog::info("source {}: {} was cleared or replaced, reading it from its start",
                 config_.name, tracked.path);
    return Cursor{};
  };
  uint64_t highest = 0;
  for (const Planned& p : records) {
    if (p.recovered) continue;  // leftovers of older generations prove nothing
    // Record ids restart at 1 when a log is cleared: the record we stopped at, with another
    // time, means another log under the same name.
    if (p.record_id == last.record_id && p.filetime != last.filetime) return start_over();
    highest = std::max(highest, p.record_id);
  }
  // Fewer records than were already read: cleared, or replaced by a shorter log.
  if (highest < last.record_id) return start_over();
  return last;  // the same log, grown (or wrapped past the resume point)
}

absl::Status EvtxSource::EmitNext(Tracked& tracked, size_t& consumed, const EmitFn& emit) {
  const Planned& record = tracked.plan[tracked.next];
  absl::StatusOr<std::string> xml = tracked.file->Xml(record.index, record.recovered);
  WindowsEventRecord windows;
  absl::Status status = xml.ok() ? EvtxXmlReader::Read(*xml, windows) : xml.status();
  if (!status.ok()) {
    ++tracked.next;
    if (record.recovered) {
      ++recovered_unreadable_;
      return absl::OkStatus();
    }
    ++counters_.read_errors;
    if (ShouldLog(counters_.read_errors)) {
      spdlog::warn("source {}: {} record index {} (id {}): {}", config_.name, tracked.path,
                   record.index, record.record_id, std::string(status.message()));
    }
    return absl::OkStatus();
  }
  UnpadHex(windows);
  if (windows.record_id == 0) windows.record_id = record.record_id;
  if (!windows.has_time && record.filetime != 0) {
    windows.time_micros = FileTimeToMicros(record.filetime);
    windows.has_time = true;
  }
  FillEnvelope(tracked, record, *xml);
  if (windows.record_id != record.record_id) {
    // Filtered exports renumber the record headers; the log's own EventRecordID stays in the XML.
    (*event_.mutable_labels())["evtx.event_record_id"] = std::to_string(windows.record_id);
  }
  normalizer_.Normalize(windows, event_);
  if (!event_.has_event_time()) *event_.mutable_event_time() = event_.observed_time();
  TRIPLINE_RETURN_IF_ERROR(emit(event_));  // handed again at the next Poll()
  consumed += xml->size();
  counters_.bytes += xml->size();
  ++counters_.records;
  ++tracked.next;
  tracked.emitted.record_id = record.record_id;
  tracked.emitted.filetime = record.filetime;
  pending_.push_back({emitted_++, tracked.path, tracked.emitted});
  return absl::OkStatus();
}

void EvtxSource::FillEnvelope(const Tracked& tracked, const Planned& record,
                              const std::string& xml) {
  event_.Clear();
  const std::string& file_id = tracked.emitted.file_id;
  event_.set_event_id(EventId(agent_id_, file_id, record.record_id));
  event_.set_agent_id(agent_id_);
  *event_.mutable_host() = host_;
  *event_.mutable_observed_time() = NowTimestamp();
  v1::Source* src = event_.mutable_source();
  src->set_kind(v1::Source::KIND_EVTX);
  src->set_name(config_.name);
  src->set_path(tracked.path);
  src->set_file_id(file_id);
  src->set_position(record.record_id);
  src->set_format("evtx");
  if (SetOriginalXml(xml, event_)) ++counters_.truncated;
  if (record.recovered) (*event_.mutable_labels())["evtx.recovered"] = "true";
}

}  // namespace tripline::agent
