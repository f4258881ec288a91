#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "agent/sources/file/file_source.h"
#include "agent/sources/host/host_emitter.h"
#include "agent/sources/host/service_baseline.h"
#include "agent/sources/host/unit_scanner.h"
#include "agent/sources/source.h"

namespace tripline::agent {

struct ServiceSourceConfig {
  std::string name = "service";
  // systemd unit folders, highest precedence first.
  std::vector<std::string> unit_dirs = {"/etc/systemd/system", "/run/systemd/system",
                                        "/lib/systemd/system", "/usr/lib/systemd/system"};
  std::vector<std::string> sysv_dirs = {"/etc/init.d"};
  std::chrono::milliseconds scan_interval{10000};
  bool report_existing = false;  // first start: report every service found as INSTALLED
  std::string boot_id;           // for event ids; empty: read from /proc
};

// Reports systemd services and SysV init scripts installed, changed (unit file, drop-ins or
// enablement) and removed, as ServiceChange events with name, description, executable (the
// program of ExecStart=), account (User=), start type (enabled, disabled, static, masked) and
// service type (systemd, sysv); the whole ExecStart= line, WantedBy= and the path are labels.
//
// Works by scanning the folders every scan_interval (UnitScanner) against a baseline of
// (service → SHA-256 of its files, start type, user, executable). The first start records the
// baseline silently unless report_existing. The durable baseline is the state: a change updates
// it only once its record is durable (DurableState), so a crash before that reports the change
// again after the restart, with the same event id; a change made while the agent was stopped is
// reported at the next start.
//
// Delivery: records are numbered (HostEmitter). The state is the sequence line followed by
// ServiceBaseline lines. The folders are scanned only when every record of the last scan was
// emitted, so the outbox is bounded by the number of services.
//
// Lifecycle and thread: Source's; no helper thread. `identity` is not owned and must outlive
// the source.
class ServiceSource final : public Source {
 public:
  ServiceSource(ServiceSourceConfig config, const AgentIdentity* identity);

  const std::string& name() const override { return config_.name; }
  [[nodiscard]] absl::Status Start(std::string_view saved_state) override;
  [[nodiscard]] absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }

  // Scans at the next Poll() whatever the interval.
  void RequestScan() { scan_requested_ = true; }
  size_t known_services() const { return current_.entries().size(); }

 private:
  // A baseline update waiting for its record to become durable.
  struct Update {
    uint64_t index;  // the record's emission index since Start()
    std::string key;
    std::optional<ServiceBaselineEntry> entry;  // nullopt: removed
  };

  void Scan(bool silent);
  void Report(v1::ServiceChange::Action action, const ServiceUnit& unit);
  void ReportRemoved(const ServiceBaselineEntry& entry);

  ServiceSourceConfig config_;
  UnitScanner scanner_;
  HostEmitter emitter_;
  ServiceBaseline current_;  // as of the last scan: what the next scan compares against
  ServiceBaseline durable_;  // as of the last durable record: what the state holds
  std::deque<Update> updates_;
  uint64_t pushed_ = 0;
  bool scan_requested_ = false;
  std::chrono::steady_clock::time_point next_scan_{};
  SourceCounters counters_;
};

}  // namespace tripline::agent
