#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/metrics_server.h"
#include "common/metrics/registry.h"

namespace tripline::correlator {

// What the correlator's loop reports to its metrics: running totals since the process started
// (engines that were replaced or handed away included) and the state of the moment.
struct CorrelatorStats {
  uint64_t events = 0, decode_errors = 0, matched_events = 0, alerts = 0, suppressed = 0;
  uint64_t late = 0, evicted = 0;
  uint64_t checkpoints = 0, commits = 0, restored = 0, restore_failures = 0, reloads = 0;
  std::vector<uint64_t> events_by_worker;
  struct Sink {
    uint64_t written = 0, failures = 0, dropped = 0;
    // Remote sinks: what their outbox delivered, and what waits on disk.
    bool has_outbox = false;
    uint64_t delivered = 0, delivery_failures = 0, outbox_dropped = 0, pending = 0, bytes = 0;
    double oldest_age_seconds = 0;
    bool receiver_failing = false;
    std::vector<std::pair<std::string, uint64_t>> receiver;  // AlertSink::ReceiverCounters()
  };
  std::map<std::string, Sink> sinks;  // by sink name
  std::map<int32_t, double> watermark_lag_seconds;  // assigned partitions: now - watermark
  size_t rules = 0;
};

// The correlator's Prometheus metrics and /health on `metrics.listen`. The loop calls Update()
// between batches and copies its totals into atomic instruments; the HTTP thread only renders
// them. Health: degraded while a sink is being retried or a receiver is down (alerts held on
// disk).
class CorrelatorMetrics {
 public:
  // `listen` empty: no endpoint (Update() still works, for tests).
  static absl::StatusOr<std::unique_ptr<CorrelatorMetrics>> Start(const std::string& listen);
  ~CorrelatorMetrics();

  void Update(const CorrelatorStats& stats);
  void SetSinkFailing(bool failing) { sink_failing_.store(failing); }

  const metrics::Registry& registry() const { return registry_; }
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  using Total = metrics::TotalCounter;

  CorrelatorMetrics() = default;
  absl::Status Register();
  Total MakeTotal(const std::string& name, const std::string& help,
                  const metrics::Labels& labels = {});

  metrics::Registry registry_;
  std::unique_ptr<metrics::MetricsServer> server_;
  Total events_, decode_errors_, matched_, alerts_, suppressed_, late_, evicted_, checkpoints_,
      commits_, restored_, restore_failures_, reloads_;
  std::vector<Total> worker_events_;
  struct SinkTotals {
    Total written, failures, dropped;
    Total delivered, delivery_failures, outbox_dropped;
    metrics::Gauge *pending = nullptr, *bytes = nullptr, *oldest_age = nullptr;
  };
  void AddOutboxMetrics(const metrics::Labels& labels, SinkTotals& t);
  std::map<std::string, SinkTotals> sinks_;
  std::map<std::pair<std::string, std::string>, Total> receiver_;  // (sink, counter)
  std::map<int32_t, metrics::Gauge*> watermark_lag_;
  metrics::Gauge *partitions_ = nullptr, *rules_ = nullptr;
  std::atomic<bool> sink_failing_{false};
  std::atomic<bool> receiver_failing_{false};  // some outbox's receiver is down
};

}  // namespace tripline::correlator
