#include "correlator/correlator_metrics.h"

#include <spdlog/spdlog.h>

namespace tripline::correlator {

absl::StatusOr<std::unique_ptr<CorrelatorMetrics>> CorrelatorMetrics::Start(
    const std::string& listen) {
  std::unique_ptr<CorrelatorMetrics> m(new CorrelatorMetrics());
  TRIPLINE_RETURN_IF_ERROR(m->Register());
  if (listen.empty()) return m;
  CorrelatorMetrics* self = m.get();
  TRIPLINE_ASSIGN_OR_RETURN(
      m->server_, metrics::StartMetricsServer("metrics.listen", listen, m->registry_, [self] {
        if (self->sink_failing_.load()) {
          return metrics::Health{metrics::HealthState::kDegraded,
                                 "an alert sink is failing: consumption held back"};
        }
        if (self->receiver_failing_.load()) {
          return metrics::Health{metrics::HealthState::kDegraded,
                                 "an alert receiver is down: its alerts are held in the outbox"};
        }
        return metrics::Health{metrics::HealthState::kOk, "correlating"};
      }));
  spdlog::info("metrics on http://{}:{}/metrics and /health", listen.substr(0, listen.rfind(':')),
               m->server_->port());
  return m;
}

CorrelatorMetrics::~CorrelatorMetrics() {
  if (server_) server_->Stop();
}

CorrelatorMetrics::Total CorrelatorMetrics::MakeTotal(const std::string& name,
                                                      const std::string& help,
                                                      const metrics::Labels& labels) {
  auto c = registry_.AddCounter(name, help, labels);
  if (!c.ok()) spdlog::error("metric {}: {}", name, c.status().ToString());
  return Total{c.ok() ? *c : nullptr, 0};
}

absl::Status CorrelatorMetrics::Register() {
  const std::string p = "tripline_correlator_";
  events_ = MakeTotal(p + "events", "Records consumed from the events topic");
  decode_errors_ = MakeTotal(p + "decode_errors", "Records that are not a Tripline Event, skipped");
  matched_ = MakeTotal(p + "matched_events", "Events that matched at least one detection rule");
  alerts_ = MakeTotal(p + "alerts", "Alerts written to every sink");
  suppressed_ = MakeTotal(p + "suppressed_alerts", "Alerts held back by a suppression window");
  late_ = MakeTotal(p + "late_events",
                    "Events behind the watermark by more than the allowed lateness: ignored by "
                    "correlation, sequence and first-seen rules, still evaluated by single rules");
  evicted_ = MakeTotal(p + "state_evictions",
                       "Keys, runs, values or buffered events dropped at a state cap");
  checkpoints_ = MakeTotal(p + "checkpoints", "Partition state checkpoints written to RocksDB");
  commits_ = MakeTotal(p + "commits", "Offset commits, each after its checkpoints");
  restored_ = MakeTotal(p + "restored_partitions", "Partitions resumed from a checkpoint");
  restore_failures_ = MakeTotal(p + "restore_failures",
                                "Checkpoints that could not be read back (state restarted)");
  reloads_ = MakeTotal(p + "rule_reloads", "Rule sets loaded by Reload or SIGHUP");
  TRIPLINE_ASSIGN_OR_RETURN(partitions_,
                            registry_.AddGauge(p + "assigned_partitions", "Partitions assigned"));
  TRIPLINE_ASSIGN_OR_RETURN(rules_, registry_.AddGauge(p + "rules", "Rules in force"));
  return absl::OkStatus();
}

void CorrelatorMetrics::Update(const CorrelatorStats& s) {
  events_.Set(s.events);
  decode_errors_.Set(s.decode_errors);
  matched_.Set(s.matched_events);
  alerts_.Set(s.alerts);
  suppressed_.Set(s.suppressed);
  late_.Set(s.late);
  evicted_.Set(s.evicted);
  checkpoints_.Set(s.checkpoints);
  commits_.Set(s.commits);
  restored_.Set(s.restored);
  restore_failures_.Set(s.restore_failures);
  reloads_.Set(s.reloads);
  while (worker_events_.size() < s.events_by_worker.size()) {
    worker_events_.push_back(MakeTotal("tripline_correlator_worker_events",
                                       "Events evaluated, by worker thread",
                                       {{"worker", std::to_string(worker_events_.size())}}));
  }
  for (size_t i = 0; i < s.events_by_worker.size(); ++i) worker_events_[i].Set(s.events_by_worker[i]);
  bool receiver_failing = false;
  for (const auto& [sink, n] : s.sinks) {
    auto it = sinks_.find(sink);
    if (it == sinks_.end()) {
      const metrics::Labels labels = {{"sink", sink}};
      SinkTotals t;
      t.written = MakeTotal("tripline_correlator_sink_alerts", "Alerts a sink took", labels);
      t.failures = MakeTotal("tripline_correlator_sink_failures",
                             "Failed attempts to hand a batch to a sink (each retried or dropped)",
                             labels);
      t.dropped = MakeTotal("tripline_correlator_sink_dropped",
                            "Alerts dropped after the last attempt (outputs.on_failure: drop)",
                            labels);
      if (n.has_outbox) AddOutboxMetrics(labels, t);
      it = sinks_.emplace(sink, t).first;
    }
    SinkTotals& t = it->second;
    t.written.Set(n.written);
    t.failures.Set(n.failures);
    t.dropped.Set(n.dropped);
    if (n.has_outbox) {
      t.delivered.Set(n.delivered);
      t.delivery_failures.Set(n.delivery_failures);
      t.outbox_dropped.Set(n.outbox_dropped);
      if (t.pending) t.pending->Set(static_cast<double>(n.pending));
      if (t.bytes) t.bytes->Set(static_cast<double>(n.bytes));
      if (t.oldest_age) t.oldest_age->Set(n.oldest_age_seconds);
      receiver_failing |= n.receiver_failing;
    }
    for (const auto& [counter, value] : n.receiver) {
      auto r = receiver_.find({sink, counter});
      if (r == receiver_.end()) {
        Total t = MakeTotal("tripline_correlator_sink_receiver_events",
                            "What a sink counted at its receiver: acked, dead_lettered, resent, "
                            "conflicts, reconnects, ...",
                            {{"sink", sink}, {"counter", counter}});
        r = receiver_.emplace(std::make_pair(sink, counter), t).first;
      }
      r->second.Set(value);
    }
  }
  receiver_failing_.store(receiver_failing);
  for (auto& [partition, gauge] : watermark_lag_) {
    if (s.watermark_lag_seconds.count(partition) == 0) gauge->Set(0);  // no longer ours
  }
  for (const auto& [partition, lag] : s.watermark_lag_seconds) {
    auto it = watermark_lag_.find(partition);
    if (it == watermark_lag_.end()) {
      auto g = registry_.AddGauge("tripline_correlator_watermark_lag_seconds",
                                  "Wall clock minus the newest event time of the partition",
                                  {{"partition", std::to_string(partition)}});
      if (!g.ok()) continue;
      it = watermark_lag_.emplace(partition, *g).first;
    }
    it->second->Set(lag);
  }
  partitions_->Set(static_cast<double>(s.watermark_lag_seconds.size()));
  rules_->Set(static_cast<double>(s.rules));
}

void CorrelatorMetrics::AddOutboxMetrics(const metrics::Labels& labels, SinkTotals& t) {
  t.delivered = MakeTotal("tripline_correlator_outbox_delivered",
                          "Alerts the receiver took from the sink's outbox", labels);
  t.delivery_failures = MakeTotal("tripline_correlator_outbox_delivery_failures",
                                  "Failed deliveries from the outbox (each retried)", labels);
  t.outbox_dropped = MakeTotal("tripline_correlator_outbox_dropped",
                               "Undelivered alerts pushed out at the outbox quota (drop_oldest)",
                               labels);
  auto gauge = [&](const char* name, const char* help) -> metrics::Gauge* {
    auto g = registry_.AddGauge(name, help, labels);
    return g.ok() ? *g : nullptr;
  };
  t.pending = gauge("tripline_correlator_outbox_pending_alerts", "Alerts held on disk, undelivered");
  t.bytes = gauge("tripline_correlator_outbox_bytes", "Bytes of the sink's outbox on disk");
  t.oldest_age = gauge("tripline_correlator_outbox_oldest_age_seconds",
                       "Age of the oldest undelivered alert in the outbox");
}

}  // namespace tripline::correlator
