#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "tripline/v1/services.pb.h"

namespace tripline::correlator {

// The `fleet:` section of correlator.yaml.
struct FleetConfig {
  int heartbeat_interval_s = 30;   // told to agents in RegisterResponse
  int silent_after_intervals = 2;  // no heartbeat for this many intervals: the agent is silent
  std::string state_file;          // default <state_dir>/fleet/agents.bin
  size_t max_agents = 10000;       // registrations past it are refused (RESOURCE_EXHAUSTED)
};

// A change of an agent's state found by FleetRegistry::Check().
struct FleetTransition {
  enum class Kind {
    kSilent,     // heartbeats stopped: raise the "agent silent" alert (once per silence)
    kBack,       // a silent agent heartbeats again
    kDegraded,   // the agent reports itself degraded
    kRecovered,  // ... and ok again
  };
  Kind kind;
  v1::AgentStatus agent;     // as last reported; health is the new state
  int64_t last_seen_us = 0;  // kSilent: the last heartbeat; kBack: the last one before silence
};

// The agents that registered with this correlator, their last report and their health.
//
// Health: "silent" once no heartbeat came for silent_after_intervals x heartbeat_interval_s,
// otherwise what the agent reports ("ok" or "degraded"). An agent turns silent exactly once per
// silence: Check() reports the kSilent transition once and keeps the mark (also across restarts,
// through the state file) until the agent heartbeats again (kBack).
// After a restart the silence clock of every known agent starts at the later of its last
// heartbeat and the load time, so that a correlator that was down does not call its whole fleet
// silent before the agents had one interval to reach it again.
//
// State file (written atomically by SaveIfChanged(), read by Load()): the 8 bytes "TLFLEET1",
// the CRC-32C of the body (4 bytes, little endian), then the body: a ListAgentsResponse holding
// every agent's last report, its last_seen, and health "silent" for agents already reported
// silent.
//
// Threads: Register/Heartbeat/List on gRPC threads, Check/Load/SaveIfChanged on the correlator's
// Run() thread; one mutex guards the map (held for a map operation, never for I/O). `clock` is
// the wall clock in µs since the epoch (injected by tests).
class FleetRegistry {
 public:
  using Clock = std::function<int64_t()>;

  FleetRegistry(FleetConfig config, Clock clock);

  [[nodiscard]] absl::Status Load();
  // Writes the state file when an agent registered or changed state, and at most every
  // kLastSeenSaveInterval when only heartbeat times moved.
  [[nodiscard]] absl::Status SaveIfChanged();

  // InvalidArgument (no agent id, bad health) or ResourceExhausted (max_agents). A heartbeat
  // from an agent this registry does not know (a correlator that lost its state file) registers
  // it.
  [[nodiscard]] absl::Status Register(const v1::AgentStatus& agent);
  [[nodiscard]] absl::Status Heartbeat(const v1::AgentStatus& agent);
  // Every agent, sorted by id, with last_seen and the health as of now.
  std::vector<v1::AgentStatus> List() const;
  // What changed since the last call (see FleetTransition).
  std::vector<FleetTransition> Check();

  const FleetConfig& config() const { return config_; }
  int64_t silent_after_us() const;

 private:
  struct Entry {
    v1::AgentStatus status;      // the last report; last_seen set by this registry
    int64_t last_seen_us = 0;
    bool silent = false;         // reported silent (kSilent given out)
    bool back = false;           // kBack to give out
    int64_t silent_last_seen_us = 0;
    std::string logged_health;   // the reported health Check() last saw
  };
  absl::Status Upsert(const v1::AgentStatus& agent);
  bool Stale(const Entry& e, int64_t now_us) const;

  const FleetConfig config_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> agents_;
  int64_t loaded_at_us_ = 0;
  bool changed_ = false;       // something to save now
  bool seen_moved_ = false;    // only last_seen moved
  int64_t saved_at_us_ = 0;
};

}  // namespace tripline::correlator
