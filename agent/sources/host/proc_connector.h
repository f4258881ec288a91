#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace tripline::agent {

// What one drain of the proc connector found.
struct ProcConnectorBatch {
  std::vector<int64_t> exec_pids;  // thread-group ids that called execve, in kernel order
  bool overflowed = false;         // the kernel dropped events (ENOBUFS): some execs are lost
  size_t bytes = 0;                // datagram bytes read
  bool drained = false;            // the socket was read until it was empty
};

// The Linux netlink proc connector (NETLINK_CONNECTOR, group CN_IDX_PROC): the kernel multicasts
// fork/exec/exit events to subscribers holding CAP_NET_ADMIN in the initial namespaces.
//
// Open() creates a non-blocking socket, binds to the group, sends PROC_CN_MCAST_LISTEN and waits
// (at most `ack_timeout`) for the kernel's acknowledgement: a kernel that silently ignores the
// subscription (a process outside the initial pid namespace) gives no acknowledgement, and Open()
// fails instead of leaving a socket that never delivers. Drain() reads what is queued without
// blocking. The destructor unsubscribes and closes the socket.
//
// Thread: one owner; not thread-safe. Not copyable.
class ProcConnector {
 public:
  ProcConnector() = default;
  ~ProcConnector();
  ProcConnector(const ProcConnector&) = delete;
  ProcConnector& operator=(const ProcConnector&) = delete;

  [[nodiscard]] absl::Status Open(std::chrono::milliseconds ack_timeout);
  // Reads at most `max_datagrams` datagrams.
  ProcConnectorBatch Drain(size_t max_datagrams);
  bool is_open() const { return fd_ >= 0; }

 private:
  absl::Status SendControl(int op);
  // Parses one datagram; returns true if it was the subscription acknowledgement with `err`.
  bool Parse(const char* data, size_t len, ProcConnectorBatch& batch, int* ack_err);

  int fd_ = -1;
  uint32_t seq_ = 0;
  ProcConnectorBatch early_;  // exec events read while waiting for the acknowledgement
};

}  // namespace tripline::agent
