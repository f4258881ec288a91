#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "agent/sources/file/file_source.h"
#include "agent/sources/host/host_emitter.h"
#include "agent/sources/host/proc_connector.h"
#include "agent/sources/host/proc_reader.h"
#include "agent/sources/source.h"

namespace tripline::agent {

enum class ProcessMechanism {
  kAuto,           // the proc connector when it can be subscribed, else the /proc scan
  kProcConnector,  // netlink exec events (needs CAP_NET_ADMIN in the initial namespaces)
  kProcScan,       // a diff of /proc every scan_interval
};

struct ProcessSourceConfig {
  std::string name = "process";
  ProcessMechanism mechanism = ProcessMechanism::kAuto;
  std::chrono::milliseconds scan_interval{1000};   // kProcScan only
  std::chrono::milliseconds subscribe_timeout{500};  // wait for the connector's acknowledgement
  std::string proc_root = "/proc";
  size_t max_queued = 10000;             // outbox bound; past it records are dropped and counted
  size_t max_cmdline_bytes = 32 * 1024;  // longer command lines are cut and counted (truncated)
  size_t max_datagrams_per_poll = 4096;
};

struct ProcessCounters {
  uint64_t vanished = 0;   // processes that exited before they could be read (not an error)
  uint64_t overflows = 0;  // connector overflows (ENOBUFS); each triggers a recovery scan
  uint64_t recovered = 0;  // processes found by recovery scans
  uint64_t dropped = 0;    // records dropped from a full outbox
  uint64_t scans = 0;      // /proc scans done
};

// Reports Linux process starts (execve) as ProcessStart events: pid, executable, name, command
// line, working directory, user, entity id (hash of boot id, pid, start time) and the parent's
// pid, executable, command line and entity id.
//
// Mechanism, chosen in Start() and reported by mechanism() and a log line: the netlink proc
// connector when it can be subscribed (each exec is read from /proc at once, which catches most
// short-lived processes; a kernel overflow triggers a scan for processes started since the last
// complete drain), otherwise a /proc scan every scan_interval that diffs (pid, start time,
// executable), so an exec in an existing process is seen too. The first scan is a silent
// baseline. A process that exits before it is read is counted in `vanished`.
//
// Delivery: records are numbered (HostEmitter); the state is the sequence line only. Process
// starts that were emitted but not durable at a crash are not seen again (the process table has
// no history).
//
// Lifecycle and thread: Source's. No helper thread; the netlink socket is non-blocking and
// drained in Poll(). `identity` is not owned and must outlive the source.
class ProcessSource final : public Source {
 public:
  ProcessSource(ProcessSourceConfig config, const AgentIdentity* identity);
  ~ProcessSource() override;

  const std::string& name() const override { return config_.name; }
  [[nodiscard]] absl::Status Start(std::string_view saved_state) override;
  [[nodiscard]] absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }

  // kProcConnector or kProcScan once started (kAuto before).
  ProcessMechanism mechanism() const { return mechanism_; }
  static const char* MechanismName(ProcessMechanism mechanism);
  const ProcessCounters& process_counters() const { return process_counters_; }

 private:
  struct Seen {
    uint64_t start_ticks = 0;
    std::string executable;
  };
  using Key = std::pair<int64_t, uint64_t>;  // (pid, start ticks)

  size_t DrainConnector();
  void Scan(bool silent);
  void Recover();
  void Report(int64_t pid);
  void FillRef(const ProcInfo& info, v1::ProcessRef& ref) const;
  void Remember(const Key& key);

  ProcessSourceConfig config_;
  ProcReader reader_;
  HostEmitter emitter_;
  ProcessMechanism mechanism_ = ProcessMechanism::kAuto;
  std::unique_ptr<ProcConnector> connector_;
  std::map<int64_t, Seen> seen_;  // scan: the process table at the last scan
  std::deque<Key> recent_;        // connector: recently reported, for recovery after overflow
  std::set<Key> recent_set_;
  uint64_t watermark_ticks_ = 0;  // connector: every exec before this was read
  int64_t boot_time_ = 0;
  std::chrono::steady_clock::time_point next_scan_{};
  SourceCounters counters_;
  ProcessCounters process_counters_;
};

}  // namespace tripline::agent
