#include "agent/sources/host/service_source.h"

#include <spdlog/spdlog.h>

#include "agent/sources/host/proc_reader.h"

namespace tripline::agent {
namespace {

constexpr size_t kMaxLabelBytes = 4096;

std::string BootIdOr(const std::string& configured) {
  return configured.empty() ? ProcReader().BootId() : configured;
}

}  // namespace

ServiceSource::ServiceSource(ServiceSourceConfig config, const AgentIdentity* identity)
    : config_(std::move(config)),
      scanner_(config_.unit_dirs, config_.sysv_dirs),
      emitter_(identity, v1::Source::KIND_SERVICE, "service", config_.name,
               BootIdOr(config_.boot_id), /*max_queued=*/0) {}

absl::Status ServiceSource::Start(std::string_view saved_state) {
  size_t eol = saved_state.find('\n');
  TRIPLINE_RETURN_IF_ERROR(emitter_.Restore(saved_state.substr(0, eol)));
  bool first_start = saved_state.empty();
  if (!first_start) {
    std::string_view rest = eol == std::string_view::npos ? "" : saved_state.substr(eol + 1);
    absl::StatusOr<ServiceBaseline> baseline = ServiceBaseline::Parse(rest);
    if (!baseline.ok()) {
      return absl::DataLossError("source " + config_.name + ": " +
                                 std::string(baseline.status().message()));
    }
    durable_ = *baseline;
    current_ = std::move(*baseline);
  }
  Scan(/*silent=*/first_start && !config_.report_existing);
  next_scan_ = std::chrono::steady_clock::now() + config_.scan_interval;
  spdlog::info("source {}: {} services known, {} changes to report", config_.name,
               current_.entries().size(), emitter_.queued());
  return absl::OkStatus();
}

absl::StatusOr<size_t> ServiceSource::Poll(size_t budget, const EmitFn& emit) {
  auto now = std::chrono::steady_clock::now();
  if (emitter_.empty() && (scan_requested_ || now >= next_scan_)) {
    scan_requested_ = false;
    Scan(/*silent=*/false);
    next_scan_ = now + config_.scan_interval;
  }
  return emitter_.Drain(budget, emit, counters_);
}

void ServiceSource::Scan(bool silent) {
  uint64_t bytes = 0;
  std::map<std::string, ServiceUnit> units = scanner_.Scan(&bytes);
  counters_.bytes += bytes;
  if (silent) {
    for (const auto& [key, unit] : units) current_.entries()[key] = ServiceBaselineEntry::Of(unit);
    durable_ = current_;
    return;
  }
  auto& known = current_.entries();
  for (auto it = known.begin(); it != known.end();) {
    if (units.count(it->first) != 0) {
      ++it;
      continue;
    }
    ReportRemoved(it->second);
    updates_.push_back(Update{pushed_++, it->first, std::nullopt});
    it = known.erase(it);
  }
  for (const auto& [key, unit] : units) {
    ServiceBaselineEntry entry = ServiceBaselineEntry::Of(unit);
    auto old = known.find(key);
    if (old != known.end() && old->second.SameAs(entry)) continue;
    Report(old == known.end() ? v1::ServiceChange::ACTION_INSTALLED
                              : v1::ServiceChange::ACTION_CHANGED,
           unit);
    updates_.push_back(Update{pushed_++, key, entry});
    known[key] = std::move(entry);
  }
}

void ServiceSource::Report(v1::ServiceChange::Action action, const ServiceUnit& unit) {
  v1::Event event = emitter_.NewEvent(unit.path, unit.type);
  v1::ServiceChange* s = event.mutable_service();
  s->set_action(action);
  s->set_name(unit.name);
  s->set_display_name(unit.description);
  s->set_executable(unit.executable);
  s->set_start_type(unit.start_type);
  s->set_account(unit.user);
  s->set_service_type(unit.type);
  auto& labels = *event.mutable_labels();
  if (!unit.exec_start.empty()) labels["exec_start"] = unit.exec_start.substr(0, kMaxLabelBytes);
  if (!unit.wanted_by.empty()) labels["wanted_by"] = unit.wanted_by.substr(0, kMaxLabelBytes);
  labels["sha256"] = unit.sha256;
  (void)emitter_.Push(std::move(event));  // unbounded outbox: never refuses
}

void ServiceSource::ReportRemoved(const ServiceBaselineEntry& entry) {
  v1::Event event = emitter_.NewEvent(entry.path, entry.type);
  v1::ServiceChange* s = event.mutable_service();
  s->set_action(v1::ServiceChange::ACTION_REMOVED);
  s->set_name(entry.name);
  s->set_executable(entry.executable);
  s->set_start_type(entry.start_type);
  s->set_account(entry.user);
  s->set_service_type(entry.type);
  (void)emitter_.Push(std::move(event));
}

std::string ServiceSource::DurableState(uint64_t count) {
  while (!updates_.empty() && updates_.front().index < count) {
    Update& u = updates_.front();
    if (u.entry) {
      durable_.entries()[u.key] = std::move(*u.entry);
    } else {
      durable_.entries().erase(u.key);
    }
    updates_.pop_front();
  }
  return emitter_.StateLine(count) + "\n" + durable_.Serialize();
}

}  // namespace tripline::agent
