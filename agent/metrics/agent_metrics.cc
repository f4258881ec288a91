#include "agent/metrics/agent_metrics.h"

#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/sources/winevent/winevent_source.h"
#include "common/time_util.h"

namespace tripline::agent {

struct AgentMetrics::SourceInstruments {
  Delta records, bytes, parse_errors, truncated, read_errors, encoding_errors;
  metrics::Gauge* lag_bytes = nullptr;
  // winevent sources only, created when first seen.
  Delta resubscribes, gaps;
  metrics::Gauge* channels_missing = nullptr;
};

absl::StatusOr<std::unique_ptr<AgentMetrics>> AgentMetrics::Start(const std::string& listen) {
  std::unique_ptr<AgentMetrics> m(new AgentMetrics());
  TRIPLINE_RETURN_IF_ERROR(m->Register());
  if (listen.empty()) return m;
  AgentMetrics* self = m.get();
  TRIPLINE_ASSIGN_OR_RETURN(
      m->server_, metrics::StartMetricsServer("metrics.listen", listen, m->registry_, [self] {
        double age = self->oldest_age_seconds_.load();
        if (self->spool_full_.load()) {
          return metrics::Health{metrics::HealthState::kDegraded, "spool full: sources paused"};
        }
        if (age > 60) {
          return metrics::Health{metrics::HealthState::kDegraded,
                                 "oldest unsent record is " + std::to_string(int(age)) + " s old"};
        }
        return metrics::Health{metrics::HealthState::kOk, "shipping"};
      }));
  spdlog::info("metrics on http://{}:{}/metrics and /health", listen.substr(0, listen.rfind(':')),
               m->server_->port());
  return m;
}

AgentMetrics::~AgentMetrics() {
  if (server_) server_->Stop();
}

AgentMetrics::Delta AgentMetrics::MakeCounter(const std::string& name, const std::string& help,
                                              const metrics::Labels& labels) {
  auto c = registry_.AddCounter(name, help, labels);
  if (!c.ok()) spdlog::error("metric {}: {}", name, c.status().ToString());
  return Delta{c.ok() ? *c : nullptr, 0};
}

metrics::Gauge* AgentMetrics::MakeGauge(const std::string& name, const std::string& help,
                                        const metrics::Labels& labels) {
  auto g = registry_.AddGauge(name, help, labels);
  if (!g.ok()) spdlog::error("metric {}: {}", name, g.status().ToString());
  return g.ok() ? *g : nullptr;
}

absl::Status AgentMetrics::Register() {
  produced_ = MakeCounter("tripline_agent_kafka_produced", "Records handed to the Kafka producer");
  delivered_ = MakeCounter("tripline_agent_kafka_delivered", "Records acknowledged by Kafka");
  resent_ = MakeCounter("tripline_agent_kafka_resent", "Records produced again after a failure");
  recreated_ = MakeCounter("tripline_agent_kafka_producer_recreated",
                           "Producers rebuilt after a fatal idempotence error");
  appended_ = MakeCounter("tripline_agent_spool_appended", "Records appended to the spool");
  acked_ = MakeCounter("tripline_agent_spool_acked", "Spool records acknowledged by Kafka");
  dropped_ = MakeCounter("tripline_agent_drops", "Records lost, by reason",
                         {{"reason", "spool_quota"}});
  corrupt_ = MakeCounter("tripline_agent_drops", "Records lost, by reason",
                         {{"reason", "spool_corrupt"}});
  full_pauses_ = MakeCounter("tripline_agent_spool_full_pauses",
                             "Source polls cut short because the spool was full");
  spool_bytes_ = MakeGauge("tripline_agent_spool_bytes", "Bytes in spool segment files");
  spool_segments_ = MakeGauge("tripline_agent_spool_segments", "Spool segment files");
  spool_unacked_ = MakeGauge("tripline_agent_spool_unacked_records",
                             "Records in the spool not yet acknowledged by Kafka");
  spool_oldest_age_ = MakeGauge("tripline_agent_spool_oldest_age_seconds",
                                "Age of the oldest unacknowledged spool record");
  checkpoint_age_ = MakeGauge("tripline_agent_checkpoint_age_seconds",
                              "Seconds since source positions were last saved");
  return absl::OkStatus();
}

AgentMetrics::SourceInstruments& AgentMetrics::ForSource(const std::string& name) {
  auto& slot = sources_[name];
  if (slot) return *slot;
  slot = std::make_unique<SourceInstruments>();
  metrics::Labels l = {{"source", name}};
  slot->records = MakeCounter("tripline_agent_source_events", "Events read, by source", l);
  slot->bytes = MakeCounter("tripline_agent_source_bytes", "Input bytes read, by source", l);
  slot->parse_errors = MakeCounter("tripline_agent_source_parse_errors",
                                   "Lines shipped unparsed (AppLog, parse_error label)", l);
  slot->truncated = MakeCounter("tripline_agent_source_truncated", "Over-long lines cut", l);
  slot->read_errors = MakeCounter("tripline_agent_source_read_errors", "Read errors", l);
  slot->encoding_errors = MakeCounter("tripline_agent_source_encoding_errors",
                                      "Lines with invalid UTF-8/UTF-16, shipped with U+FFFD", l);
  slot->lag_bytes = MakeGauge("tripline_agent_source_lag_bytes", "Bytes not yet read", l);
  return *slot;
}

#ifdef _WIN32  // the winevent source exists in the Windows build only
void AgentMetrics::UpdateWinevent(const WineventSource& w, SourceInstruments& s) {
  if (s.channels_missing == nullptr) {
    metrics::Labels l = {{"source", w.name()}};
    s.resubscribes = MakeCounter("tripline_agent_winevent_resubscribes",
                                 "Event log subscriptions reopened (stale or invalid)", l);
    s.gaps = MakeCounter("tripline_agent_winevent_gaps",
                         "Channel positions lost (log cleared or wrapped)", l);
    s.channels_missing = MakeGauge("tripline_agent_winevent_channels_missing",
                                   "Configured event channels that do not exist", l);
  }
  s.resubscribes.Set(w.winevent_counters().resubscribes);
  s.gaps.Set(w.winevent_counters().gaps);
  if (s.channels_missing) {
    s.channels_missing->Set(static_cast<double>(w.winevent_counters().channels_missing));
  }
}
#endif

// One counter per librdkafka error name, created when the name first appears.
void AgentMetrics::SetByClass(std::map<std::string, Delta>& counters, const std::string& name,
                              const std::string& help,
                              const std::map<std::string, uint64_t>& counts) {
  for (const auto& [cls, n] : counts) {
    auto it = counters.find(cls);
    if (it == counters.end()) {
      it = counters.emplace(cls, MakeCounter(name, help, {{"class", cls}})).first;
    }
    it->second.Set(n);
  }
}

void AgentMetrics::Update(const Agent& agent, std::chrono::steady_clock::time_point last_save) {
  for (const auto& source : agent.sources()) {
    SourceInstruments& s = ForSource(source->name());
    const SourceCounters& c = source->counters();
    s.records.Set(c.records);
    s.bytes.Set(c.bytes);
    s.parse_errors.Set(c.parse_errors);
    s.truncated.Set(c.truncated);
    s.read_errors.Set(c.read_errors);
    s.encoding_errors.Set(c.encoding_errors);
    if (s.lag_bytes) s.lag_bytes->Set(static_cast<double>(source->LagBytes()));
#ifdef _WIN32
    if (const auto* w = dynamic_cast<const WineventSource*>(source.get())) UpdateWinevent(*w, s);
#endif
  }
  const auto& k = agent.shipping().counters();
  produced_.Set(k.produced);
  delivered_.Set(k.delivered);
  resent_.Set(k.retried);
  SetByClass(delivery_errors_, "tripline_agent_kafka_delivery_errors",
             "Failed delivery reports, by librdkafka error", k.errors);
  SetByClass(client_errors_, "tripline_agent_kafka_client_errors",
             "Kafka client errors (authentication, TLS, brokers down), by librdkafka error",
             k.client_errors);
  const spool::Spool& spool = agent.spool();
  const spool::SpoolCounters& sc = spool.counters();
  appended_.Set(sc.appended);
  acked_.Set(sc.acked);
  dropped_.Set(sc.dropped);
  corrupt_.Set(sc.corrupt);
  full_pauses_.Set(agent.counters().spool_full_pauses);
  recreated_.Set(agent.shipping().producer_recreated());
  spool_bytes_->Set(static_cast<double>(spool.bytes()));
  spool_segments_->Set(static_cast<double>(spool.segments()));
  spool_unacked_->Set(static_cast<double>(spool.unacked()));
  int64_t oldest = spool.oldest_unacked_time_us();
  double age = oldest == 0 ? 0 : (MicrosFromTimestamp(NowTimestamp()) - oldest) / 1e6;
  spool_oldest_age_->Set(age);
  oldest_age_seconds_.store(age);
  spool_full_.store(agent.spool_full());
  checkpoint_age_->Set(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - last_save).count());
}

}  // namespace tripline::agent
