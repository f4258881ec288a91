#include "agent/sources/host/process_source.h"

#include <spdlog/spdlog.h>

#include "common/time_util.h"

namespace tripline::agent {
namespace {

constexpr size_t kRecentKeys = 8192;

}  // namespace

ProcessSource::ProcessSource(ProcessSourceConfig config, const AgentIdentity* identity)
    : config_(std::move(config)),
      reader_(config_.proc_root, config_.max_cmdline_bytes),
      emitter_(identity, v1::Source::KIND_PROCESS, "process", config_.name, reader_.BootId(),
               config_.max_queued) {}

ProcessSource::~ProcessSource() = default;

const char* ProcessSource::MechanismName(ProcessMechanism mechanism) {
  switch (mechanism) {
    case ProcessMechanism::kProcConnector: return "proc_connector";
    case ProcessMechanism::kProcScan: return "proc_scan";
    case ProcessMechanism::kAuto: break;
  }
  return "auto";
}

absl::Status ProcessSource::Start(std::string_view saved_state) {
  TRIPLINE_RETURN_IF_ERROR(emitter_.Restore(saved_state.substr(0, saved_state.find('\n'))));
  boot_time_ = reader_.BootTimeSeconds();
  mechanism_ = ProcessMechanism::kProcScan;
  if (config_.mechanism != ProcessMechanism::kProcScan) {
    auto connector = std::make_unique<ProcConnector>();
    watermark_ticks_ = reader_.UptimeTicks();
    absl::Status st = connector->Open(config_.subscribe_timeout);
    if (st.ok()) {
      connector_ = std::move(connector);
      mechanism_ = ProcessMechanism::kProcConnector;
    } else {
      spdlog::log(config_.mechanism == ProcessMechanism::kAuto ? spdlog::level::info
                                                               : spdlog::level::warn,
                  "source {}: proc connector unavailable ({}), scanning /proc instead",
                  config_.name, std::string(st.message()));
    }
  }
  if (mechanism_ == ProcessMechanism::kProcScan) {
    Scan(/*silent=*/true);
    next_scan_ = std::chrono::steady_clock::now() + config_.scan_interval;
  }
  spdlog::info("source {}: process starts from {}", config_.name, MechanismName(mechanism_));
  return absl::OkStatus();
}

absl::StatusOr<size_t> ProcessSource::Poll(size_t budget, const EmitFn& emit) {
  size_t input = 0;
  if (mechanism_ == ProcessMechanism::kProcConnector) {
    input += DrainConnector();
  } else if (std::chrono::steady_clock::now() >= next_scan_) {
    Scan(/*silent=*/false);
    next_scan_ = std::chrono::steady_clock::now() + config_.scan_interval;
  }
  process_counters_.dropped = emitter_.dropped();
  TRIPLINE_ASSIGN_OR_RETURN(size_t emitted, emitter_.Drain(budget, emit, counters_));
  counters_.bytes += input;
  return input + emitted;
}

size_t ProcessSource::DrainConnector() {
  uint64_t before = reader_.UptimeTicks();
  ProcConnectorBatch batch = connector_->Drain(config_.max_datagrams_per_poll);
  for (int64_t pid : batch.exec_pids) Report(pid);
  if (batch.overflowed) {
    if (ShouldLogHost(++process_counters_.overflows)) {
      spdlog::warn("source {}: proc connector overflowed, scanning /proc for lost starts",
                   config_.name);
    }
    Recover();
  }
  if (batch.drained && !batch.overflowed) watermark_ticks_ = before;
  return batch.bytes;
}

void ProcessSource::Scan(bool silent) {
  ++process_counters_.scans;
  std::map<int64_t, Seen> now;
  for (int64_t pid : reader_.ListPids()) {
    auto st = reader_.ReadStat(pid);
    if (!st || st->kernel_thread) continue;
    Seen seen{st->start_ticks, reader_.Executable(pid)};
    auto it = seen_.find(pid);
    bool fresh = it == seen_.end() || it->second.start_ticks != seen.start_ticks ||
                 it->second.executable != seen.executable;
    now.emplace(pid, std::move(seen));
    if (fresh && !silent) Report(pid);
  }
  seen_.swap(now);
}

// Some exec events were lost: report every process started since the last complete drain that
// was not reported yet. An exec inside an older process cannot be recovered.
void ProcessSource::Recover() {
  ++process_counters_.scans;
  for (int64_t pid : reader_.ListPids()) {
    auto st = reader_.ReadStat(pid);
    if (!st || st->kernel_thread || st->start_ticks < watermark_ticks_) continue;
    if (recent_set_.count({pid, st->start_ticks}) != 0) continue;
    ++process_counters_.recovered;
    Report(pid);
  }
}

void ProcessSource::Remember(const Key& key) {
  if (mechanism_ != ProcessMechanism::kProcConnector || !recent_set_.insert(key).second) return;
  recent_.push_back(key);
  if (recent_.size() > kRecentKeys) {
    recent_set_.erase(recent_.front());
    recent_.pop_front();
  }
}

void ProcessSource::FillRef(const ProcInfo& info, v1::ProcessRef& ref) const {
  ref.set_pid(info.pid);
  ref.set_executable(info.executable);
  ref.set_name(info.name);
  ref.set_command_line(info.command_line);
  ref.set_entity_id(ProcReader::EntityId(emitter_.boot_id(), info.pid, info.start_ticks));
}

void ProcessSource::Report(int64_t pid) {
  std::optional<ProcInfo> info = reader_.Read(pid);
  if (!info) {
    ++process_counters_.vanished;
    return;
  }
  if (info->kernel_thread) return;
  Remember({info->pid, info->start_ticks});
  v1::Event event = emitter_.NewEvent(config_.proc_root, MechanismName(mechanism_));
  v1::ProcessStart* ps = event.mutable_process();
  FillRef(*info, *ps->mutable_process());
  ps->set_working_directory(info->working_directory);
  ps->set_user_name(reader_.UserName(info->uid));
  if (info->ppid > 0) {
    std::optional<ProcInfo> parent = reader_.Read(info->ppid);
    if (parent) {
      FillRef(*parent, *ps->mutable_parent());
    } else {
      ps->mutable_parent()->set_pid(info->ppid);  // the parent exited already
    }
  }
  if (info->command_line_truncated) {
    ++counters_.truncated;
    (*event.mutable_labels())["truncated"] = "command_line";
  }
  if (boot_time_ > 0) {
    int64_t ticks = ProcReader::TicksPerSecond();
    int64_t micros = boot_time_ * 1000000 +
                     static_cast<int64_t>(info->start_ticks) * 1000000 / ticks;
    *event.mutable_event_time() = TimestampFromMicros(micros);
  }
  if (!emitter_.Push(std::move(event)) && ShouldLogHost(emitter_.dropped())) {
    spdlog::warn("source {}: outbox full ({} records), process start of pid {} dropped",
                 config_.name, config_.max_queued, pid);
  }
}

std::string ProcessSource::DurableState(uint64_t count) {
  return emitter_.StateLine(count) + "\n";
}

}  // namespace tripline::agent
