#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "agent/sources/file/file_source.h"
#include "agent/sources/host/host_emitter.h"
#include "agent/sources/host/proc_net_table.h"
#include "agent/sources/host/proc_reader.h"
#include "agent/sources/host/socket_owner_map.h"
#include "agent/sources/source.h"

namespace tripline::agent {

struct NetworkSourceConfig {
  std::string name = "network";
  std::chrono::milliseconds scan_interval{1000};
  std::string proc_root = "/proc";
  std::string net_dir;            // tcp/tcp6 tables; empty: <proc_root>/net (our namespace)
  bool ipv6 = true;               // read tcp6 too
  bool report_inbound = false;    // connections accepted on a listening port
  bool report_listen = false;     // new listening sockets, as direction "listen"
  bool report_existing = false;   // report what the first scan finds (else a silent baseline)
  size_t max_queued = 10000;      // outbox bound; past it records are dropped and counted
  size_t max_fd_links = 262144;   // bound on one walk of /proc/*/fd
  size_t max_table_bytes = 16 * 1024 * 1024;  // bound on one read of a tcp table
};

struct NetworkCounters {
  uint64_t scans = 0;
  uint64_t bad_rows = 0;        // rows of /proc/net/tcp* that did not parse
  uint64_t unknown_owner = 0;   // connections reported without a process
  uint64_t owner_rebuilds = 0;  // walks of /proc/*/fd
  uint64_t dropped = 0;         // records dropped from a full outbox
};

// Reports new TCP connections of this host as NetworkConnection events, from a diff of
// /proc/net/tcp and /proc/net/tcp6 every scan_interval: SYN_SENT and ESTABLISHED sockets are
// outbound, or inbound when their local port is a listening port; LISTEN sockets are "listen"
// (destination = the local address that listens). A socket is identified by (direction, local,
// remote, inode), so it is reported once however many scans see it, SYN_SENT then ESTABLISHED
// included. The owning process comes from a cached socket-inode → pid map (SocketOwnerMap),
// rebuilt at most once per scan when a new socket's inode is missing; the user from the table's
// uid column. Connections that open and close between two scans are not seen.
//
// Delivery: records are numbered (HostEmitter); the state is the sequence line only.
//
// Lifecycle and thread: Source's; no helper thread. `identity` is not owned and must outlive the
// source.
class NetworkSource final : public Source {
 public:
  NetworkSource(NetworkSourceConfig config, const AgentIdentity* identity);

  const std::string& name() const override { return config_.name; }
  [[nodiscard]] absl::Status Start(std::string_view saved_state) override;
  [[nodiscard]] absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }
  const NetworkCounters& network_counters() const { return network_counters_; }

 private:
  struct Candidate {
    TcpSocket socket;
    const char* direction;
  };

  // Returns the bytes of the tables read.
  size_t Scan(bool silent);
  size_t ReadTable(const std::string& file, bool v6, std::vector<TcpSocket>& out);
  void Report(const Candidate& c);

  NetworkSourceConfig config_;
  ProcReader reader_;
  SocketOwnerMap owners_;
  HostEmitter emitter_;
  std::set<std::string> seen_;  // keys of the sockets of the last scan
  std::chrono::steady_clock::time_point next_scan_{};
  SourceCounters counters_;
  NetworkCounters network_counters_;
};

}  // namespace tripline::agent
