#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/fleet/fleet_config.h"
#include "common/status.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline::agent {

// What the agent's main loop knows about itself, for the heartbeat.
struct FleetFigures {
  uint64_t source_lag_bytes = 0;   // bytes written by the host and not read yet, all sources
  uint64_t spool_bytes = 0;        // bytes in the spool (sent or not)
  double oldest_unsent_age_s = 0;  // age of the oldest record not acknowledged by Kafka
  bool spool_full = false;         // the sources are paused on a full spool
};

// Registers this agent with the correlator's FleetService and heartbeats at the interval the
// correlator gives in its RegisterResponse, with the agent's latest figures; health is
// "degraded" when the spool is full or its oldest unsent record is over a minute old (as
// /health says), else "ok".
//
// Thread: one thread of its own, which is the only one calling the correlator. A correlator that
// is down or refuses the agent costs only log lines: the thread backs off (1 s doubling to 30 s)
// and registers again; shipping never waits for it. The main loop hands figures over with
// Update() (a copy under a mutex) when WantsFigures() says the last ones were used.
// Lifecycle: Start() starts the thread; the destructor cancels an in-flight call and joins.
class FleetClient {
 public:
  // `host_name` and `exchange_build` as in agent.yaml; the version is this build's.
  static absl::StatusOr<std::unique_ptr<FleetClient>> Start(const FleetClientConfig& config,
                                                             const std::string& host_name,
                                                             const std::string& exchange_build);
  ~FleetClient();

  bool WantsFigures() const { return wants_figures_.load(std::memory_order_relaxed); }
  void Update(const FleetFigures& figures);
  uint64_t heartbeats() const { return heartbeats_.load(); }

 private:
  FleetClient(const FleetClientConfig& config, const v1::AgentStatus& identity)
      : config_(config), identity_(identity) {}
  void Run();
  // One call with a deadline; false on failure (logged, rate-limited).
  bool Register();
  bool Heartbeat();
  v1::AgentStatus Snapshot();
  // Waits `d` or until stopped; false when stopped.
  bool Sleep(std::chrono::milliseconds d);
  void Failed(const char* what, const grpc::Status& st);

  const FleetClientConfig config_;
  const v1::AgentStatus identity_;  // agent id, host name, version, Exchange build
  std::unique_ptr<v1::FleetService::Stub> stub_;
  std::thread thread_;
  std::mutex mu_;  // figures_, stopping_, call_
  std::condition_variable cv_;
  FleetFigures figures_;
  bool stopping_ = false;
  grpc::ClientContext* call_ = nullptr;  // the call in flight, cancelled by the destructor
  std::atomic<bool> wants_figures_{true};
  std::atomic<uint64_t> heartbeats_{0};
  std::chrono::seconds interval_{30};
  uint64_t failures_ = 0;  // consecutive
};

}  // namespace tripline::agent
