#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "correlator/consumer/event_consumer.h"
#include "correlator/correlator_config.h"
#include "correlator/engine/engine.h"
#include "correlator/sinks/sink.h"

namespace tripline::correlator {

struct CorrelatorCounters {
  uint64_t events = 0;
  uint64_t decode_errors = 0;  // records on the topic that are not a Tripline Event
  uint64_t alerts = 0;
  uint64_t commits = 0;
};

// The correlator service: a Kafka consumer-group member that runs the rule engine over the events
// of its partitions and hands alerts to the sinks.
//
// Delivery (DESIGN.md §4): a batch is consumed, evaluated, its alerts written to every sink and
// flushed; only then are the batch's offsets stored and (every commit_interval_ms) committed.
// A crash re-reads at most the uncommitted tail; re-raised alerts carry the same alert_id.
// Thread: Run() on the calling thread; librdkafka's threads stay inside librdkafka.
class Correlator {
 public:
  static absl::StatusOr<std::unique_ptr<Correlator>> Create(
      const CorrelatorConfig& config, std::shared_ptr<const engine::RuleSet> rules);

  // Runs until StopSignal::StopRequested(); then leaves the group after a final commit.
  [[nodiscard]] absl::Status Run();
  const CorrelatorCounters& counters() const { return counters_; }

 private:
  explicit Correlator(const CorrelatorConfig& config);
  absl::Status ProcessBatch(const std::vector<Message>& batch);
  absl::Status Dispatch();

  CorrelatorConfig config_;
  std::unique_ptr<EventConsumer> consumer_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<std::unique_ptr<AlertSink>> sinks_;
  std::vector<v1::Alert> pending_alerts_;
  v1::Event event_;  // reused for every record
  CorrelatorCounters counters_;
  std::chrono::steady_clock::time_point last_commit_;
};

}  // namespace tripline::correlator
