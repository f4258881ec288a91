#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/metrics/metrics_server.h"
#include "common/metrics/registry.h"

namespace tripline::agent {

class Agent;
class WineventSource;

// The agent's Prometheus metrics and /health, served on `metrics.listen`.
//
// The agent's state belongs to its main loop, so nothing here reads it from the scrape thread:
// the main loop calls Update() (at every spool sync) and copies its counters into atomic
// instruments; the HTTP thread only renders them. Per-source instruments are created the first
// time a source name is seen (sources can change on SIGHUP) and survive rebuilds; a counter that
// went backwards (a rebuilt source starts from zero) counts its new value as the increase.
class AgentMetrics {
 public:
  // `listen` is host:port; empty disables the endpoint (Update() still works for tests).
  static absl::StatusOr<std::unique_ptr<AgentMetrics>> Start(const std::string& listen);
  ~AgentMetrics();

  // Called on the main loop after each sync; `last_save` is when source states were last saved.
  void Update(const Agent& agent, std::chrono::steady_clock::time_point last_save);

  const metrics::Registry& registry() const { return registry_; }
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  struct SourceInstruments;
  using Delta = metrics::TotalCounter;

  AgentMetrics() = default;
  absl::Status Register();
  SourceInstruments& ForSource(const std::string& name);
  Delta MakeCounter(const std::string& name, const std::string& help,
                    const metrics::Labels& labels = {});
  metrics::Gauge* MakeGauge(const std::string& name, const std::string& help,
                            const metrics::Labels& labels = {});
  void SetByClass(std::map<std::string, Delta>& counters, const std::string& name,
                  const std::string& help, const std::map<std::string, uint64_t>& counts);
#ifdef _WIN32
  void UpdateWinevent(const WineventSource& w, SourceInstruments& s);
#endif

  metrics::Registry registry_;
  std::unique_ptr<metrics::MetricsServer> server_;
  std::map<std::string, std::unique_ptr<SourceInstruments>> sources_;
  std::map<std::string, Delta> delivery_errors_;
  std::map<std::string, Delta> client_errors_;
  Delta produced_, delivered_, resent_, appended_, acked_, dropped_, corrupt_, full_pauses_,
      recreated_;
  metrics::Gauge *spool_bytes_ = nullptr, *spool_segments_ = nullptr, *spool_unacked_ = nullptr,
                 *spool_oldest_age_ = nullptr, *checkpoint_age_ = nullptr;
  // Read by /health on the HTTP thread.
  std::atomic<double> oldest_age_seconds_{0};
  std::atomic<bool> spool_full_{false};
};

}  // namespace tripline::agent
