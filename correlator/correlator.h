#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "correlator/api/alert_hub.h"
#include "correlator/api/alert_store.h"
#include "correlator/api/api_server.h"
#include "correlator/consumer/event_consumer.h"
#include "correlator/correlator_config.h"
#include "correlator/correlator_metrics.h"
#include "correlator/engine/engine.h"
#include "correlator/sinks/dispatcher.h"
#include "correlator/state/partition_checkpoint.h"
#include "correlator/worker_pool.h"

namespace tripline::correlator {

struct CorrelatorCounters {
  uint64_t events = 0;
  uint64_t decode_errors = 0;  // records on the topic that are not a Tripline Event
  uint64_t alerts = 0;
  uint64_t commits = 0;
  uint64_t commit_failures = 0;   // offset commits that failed (retried; the checkpoint rules)
  uint64_t checkpoints = 0;       // partition checkpoints written
  uint64_t restored = 0;          // partitions resumed from a checkpoint
  uint64_t restore_failures = 0;  // checkpoints that could not be read back (state restarted)
  std::vector<uint64_t> events_by_worker;  // events evaluated by each worker thread
};

// The correlator service: a Kafka consumer-group member that runs the rule engine over the events
// of its partitions and hands alerts to the sinks.
//
// Each assigned partition has an engine of its own (its own watermark, windows and pending
// sequences: one host's events are on one partition) and a RocksDB checkpoint.
// Delivery (DESIGN.md §4): a batch is consumed, evaluated, its alerts written to every sink and
// flushed; every commit_interval_ms (and when a partition is revoked, and at stop) each partition's
// engine state is checkpointed with the offset after its last processed event, and only then is
// that offset committed. A partition given to this member (after a restart, or taken from a member
// that died) resumes from its checkpoint: state restored, consumption from the checkpoint's
// offset. A crash re-reads at most what followed the last checkpoint, on top of the state of that
// moment, so re-raised alerts carry the same alert_id and a sequence spanning the crash fires.
// Threads: Run() on the calling thread, which polls, runs the rebalance callbacks, checkpoints
// and dispatches. Evaluation runs on `correlator.workers` worker threads (the calling thread is
// worker 0): each assigned partition belongs to one worker, which decodes its records and owns its
// engine while a batch is evaluated; Run()'s thread touches the engines only between batches,
// when every worker is idle (the hand-off in WorkerPool orders the two), so the hot path takes no
// lock. librdkafka's threads stay inside librdkafka.
// API: when api.listen is set, alerts that reached every sink also go to the recent-alerts store
// and the live feed (gRPC AlertService), and the RuleService reloads rules on Run()'s thread
// (also on SIGHUP), keeping the state of rules that still exist.
// Fleet: agents register and heartbeat on gRPC threads (FleetRegistry); Run()'s thread checks
// for silent agents between batches and sends their "agent silent" alert down the same path.
class Correlator : public PartitionListener, public RuleControl {
 public:
  static absl::StatusOr<std::unique_ptr<Correlator>> Create(
      const CorrelatorConfig& config, std::shared_ptr<const engine::RuleSet> rules);

  // Runs until StopSignal::StopRequested(); then leaves the group after a final commit.
  [[nodiscard]] absl::Status Run();
  const CorrelatorCounters& counters() const { return counters_; }
  int api_port() const { return api_ ? api_->port() : 0; }
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }

  // RuleControl (gRPC threads).
  std::vector<v1::RuleInfo> ListRules() override;
  v1::ValidateResponse Validate(const std::string& yaml, const std::string& name) override;
  v1::ReloadResponse Reload() override;

 private:
  struct Partition {
    std::unique_ptr<engine::Engine> engine;
    std::unique_ptr<PartitionCheckpoint> checkpoint;
    int64_t next_offset = -1;    // after the last event processed (-1: none yet)
    int64_t checkpointed = -1;   // next_offset of the last checkpoint
    int64_t committed = -1;      // the last offset committed to the group
    int worker = 0;              // the worker thread that evaluates its events
  };
  // What one worker thread uses for one batch; only that worker touches it inside RunOnAll().
  struct WorkerBatch {
    std::vector<std::pair<const rd_kafka_message_t*, Partition*>> records;
    v1::Event event;  // reused for every record
    std::vector<v1::Alert> alerts;
    uint64_t events = 0;
    uint64_t decode_errors = 0;
  };

  explicit Correlator(const CorrelatorConfig& config);
  absl::Status ProcessBatch(const std::vector<Message>& batch);
  absl::Status Dispatch();
  // Checkpoints the given partitions (all when empty) that moved, then commits their offsets.
  absl::Status Checkpoint(const std::vector<int32_t>& only = {});
  std::vector<int64_t> OnAssigned(const std::vector<int32_t>& partitions) override;
  void OnRevoked(const std::vector<int32_t>& partitions) override;
  absl::StatusOr<std::unique_ptr<PartitionCheckpoint>> OpenCheckpoint(int32_t partition);
  std::unique_ptr<engine::Engine> NewEngine() const;
  // Adds an engine that is going away to the running totals.
  void Retire(const engine::Engine& engine);
  void UpdateMetrics();
  void AddSinkStats(CorrelatorStats& s) const;
  void AddEngineStats(CorrelatorStats& s) const;
  // Serves a reload request posted by Reload() or SIGHUP (Run()'s thread).
  v1::ReloadResponse ReloadNow();
  void ServeReloadRequests();
  // Raises the alerts of agents that turned silent and saves the fleet registry (Run()'s thread).
  absl::Status CheckFleet();

  CorrelatorConfig config_;
  std::shared_ptr<const engine::RuleSet> rules_;  // written on Run()'s thread under rules_mu_
  std::mutex rules_mu_;                            // rules_ as read by ListRules()
  AlertHub hub_;
  std::unique_ptr<AlertStore> store_;
  std::unique_ptr<FleetRegistry> fleet_;  // with the API: agents' heartbeats (FleetService)
  std::chrono::steady_clock::time_point next_fleet_check_;
  std::unique_ptr<ApiServer> api_;
  std::mutex reload_mu_;  // the one pending reload request, posted by a gRPC thread
  std::optional<std::promise<v1::ReloadResponse>> reload_request_;
  std::unique_ptr<EventConsumer> consumer_;
  std::map<int32_t, Partition> partitions_;
  absl::Status fatal_;  // a failed checkpoint inside a rebalance callback, reported by Run()
  std::unique_ptr<AlertDispatcher> dispatcher_;
  std::vector<OutboxSink*> outboxes_;  // the remote sinks' outboxes, owned by dispatcher_
  std::vector<v1::Alert> pending_alerts_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<CorrelatorMetrics> metrics_;
  // Totals of the engines that were replaced (reload) or handed away (revocation).
  engine::EngineCounters retired_;
  engine::StateTotals retired_state_;
  uint64_t reloads_ = 0;
  std::vector<WorkerBatch> worker_batches_;  // one per worker
  CorrelatorCounters counters_;
  std::chrono::steady_clock::time_point last_commit_;
};

}  // namespace tripline::correlator
