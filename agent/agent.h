#pragma once

#include <memory>
#include <vector>

#include "agent/agent_config.h"
#include "agent/checkpoint/checkpoint_store.h"
#include "agent/ship/ack_tracker.h"
#include "agent/ship/kafka_shipper.h"
#include "agent/sources/source.h"

namespace tripline::agent {

// The agent: sources -> parsers -> Kafka, with checkpoints that advance only behind successful
// delivery reports (DESIGN.md §3). 
//
// Thread: Run() drives everything from the calling thread (sources are polled, never block);
// librdkafka keeps its own I/O threads. Stop order on SIGINT/SIGTERM: stop reading, flush the
// producer (bounded by shutdown_timeout_ms), save the checkpoints of what was delivered, return.
class Agent {
 public:
  static absl::StatusOr<std::unique_ptr<Agent>> Create(const AgentConfig& config);

  // Runs until StopSignal::StopRequested(); returns the first fatal error, if any.
  [[nodiscard]] absl::Status Run();

 private:
  explicit Agent(const AgentConfig& config);
  absl::Status Emit(size_t source_index, const SourceRecord& record);
  void HandleDelivered();
  absl::Status SaveCheckpoints(bool force);
  void LogTotals() const;

  AgentConfig config_;
  AgentIdentity identity_;
  CheckpointStore checkpoints_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<AckTracker> trackers_;  // one per source
  std::unique_ptr<KafkaShipper> shipper_;
  std::vector<uint64_t> delivered_;   // tokens served by the last poll
  std::string payload_;               // scratch for serialization
  bool checkpoints_dirty_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_;
};

}  // namespace tripline::agent
