#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "agent/agent_config.h"
#include "agent/checkpoint/state_store.h"
#ifndef _WIN32
#include "agent/fleet/fleet_client.h"
#endif
#include "agent/metrics/agent_metrics.h"
#include "agent/reader_thread.h"
#include "agent/ship/shipping_thread.h"
#include "agent/sources/source.h"
#include "common/spool/spool.h"

namespace tripline::agent {

// What the agent exposes to metrics and tests.
struct AgentCounters {
  uint64_t spool_full_pauses = 0;  // rounds cut short because the spool refused a record
  uint64_t state_saves = 0;
  uint64_t disk_full_syncs = 0;    // syncs that found the spool's (or the state's) disk full
};

// The agent: sources → disk spool → Kafka (DESIGN.md §3).
//
// Delivery contract: a record is appended to the spool before its source position counts as
// read; every sync_interval_ms the spool is fsync'ed and only then each source's state (its
// position just after the last durable record) is saved. The producer sends from the spool and
// the spool's ack cursor moves only behind successful delivery reports, so after a crash the
// unacknowledged records are sent again (same event_id) and nothing is lost; a Kafka outage
// only grows the spool, up to its quota and its full policy.
//
// Threads: the ReaderThread polls the sources (they never block) and posts their records,
// serialized; Run() appends them to the spool and drives deliveries and checkpoints from the
// calling thread; the ShippingThread owns the Kafka producer and gets records by posting
// (librdkafka keeps its own I/O threads). The main loop asks the sources anything (durable
// state, metrics) only under `sources_mu_`, which the reader holds while it polls one.
// SIGHUP reloads the sources from the config file: what the reader posted is appended (what
// the spool cannot take is dropped: it is not durable, so the new sources read it again), the
// spool is synced and every source's state saved, so the new sources resume exactly where the
// old ones' durable records end (Kafka, spool and identity changes take effect at the next
// start). Stop order on SIGINT/SIGTERM: stop reading, append what was read, send what the spool
// holds for at most shutdown_timeout_ms, fsync, save states, return. Whatever was not
// acknowledged by then stays in the spool for the next start.
// With `fleet:` configured, a FleetClient thread registers and heartbeats with the correlator;
// the main loop only hands it figures (lag, spool) at its sync, never waits for it.
class Agent {
 public:
  // `config_path` is read again on SIGHUP (empty: no reload).
  static absl::StatusOr<std::unique_ptr<Agent>> Create(const AgentConfig& config,
                                                       std::string config_path = "");
  ~Agent();

  // Runs until StopSignal::StopRequested(); returns the first fatal error, if any.
  [[nodiscard]] absl::Status Run();

  const spool::Spool& spool() const { return *spool_; }
  const std::vector<std::unique_ptr<Source>>& sources() const { return sources_; }
  const ShippingThread& shipping() const { return *shipping_; }
  const AgentCounters& counters() const { return counters_; }
  bool spool_full() const { return spool_full_; }
  // The bound /metrics port (0 when disabled).
  uint16_t metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  explicit Agent(const AgentConfig& config);
  // Appends what the reader posted to the spool, in order, handing each record straight to the
  // shipping thread when nothing older waits; stops at a full spool, or (with `may_hold`) where
  // the shipping thread is full while deliveries keep coming. Returns records appended.
  size_t AppendPosted(bool may_hold = true);
  // Appends what it can (never holding), then drops what the reader posted and the spool could
  // not take (the sources are about to be rebuilt or destroyed and read it again from their
  // durable state; only a full spool leaves anything behind).
  void DrainPosted();
  // Hands spool records to the shipping thread; true when it stopped because its queue is full.
  bool Feed();
  // Acknowledges what the shipping thread delivered, waiting up to `wait` for a report.
  void Deliver(std::chrono::milliseconds wait);
  absl::Status Sync();
  // Sync()'s parts that ask the sources (call with sources_mu_ held), and the one that writes.
  std::vector<std::pair<size_t, std::string>> DurableStates();
  void UpdateFigures();
  absl::Status SaveStates(std::vector<std::pair<size_t, std::string>> states);
  absl::Status BuildSources();
  absl::Status Reload();
  void LogTotals() const;
  // Hands the fleet client fresh figures when it used the last ones.
  void UpdateFleet();

  AgentConfig config_;
  std::string config_path_;
  AgentIdentity identity_;
  FimIdentity fim_identity_;  // the same identity, in the FIM source's own type
  StateStore states_;
  std::unique_ptr<spool::Spool> spool_;
  std::mutex sources_mu_;  // the reader holds it while it polls a source (see ReaderThread)
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<uint64_t> appended_;     // per source: records appended to the spool since Start()
  std::vector<std::string> saved_;     // per source: the state last saved
  // Signalled by the reader (records posted) and the shipping thread (delivery reports).
  platform::Wakeup wakeup_;
  std::unique_ptr<ReaderThread> reader_;
  std::deque<RecordBatch> posted_;     // taken from the reader, not yet all appended
  std::unique_ptr<ShippingThread> shipping_;
  std::vector<uint64_t> delivered_;    // spool sequence numbers delivered, from the last report
  std::chrono::steady_clock::time_point next_sync_;
  std::chrono::steady_clock::time_point last_save_ = std::chrono::steady_clock::now();
  std::unique_ptr<AgentMetrics> metrics_;
#ifndef _WIN32
  std::unique_ptr<FleetClient> fleet_;  // fleet: configured; its own thread
#endif
  bool spool_full_ = false;
  // See AppendPosted(): records wait for the shipping thread while deliveries keep coming.
  static constexpr std::chrono::milliseconds kHoldForShipping{1000};
  bool held_for_shipping_ = false;
  std::chrono::steady_clock::time_point last_delivery_;
  AgentCounters counters_;
};

}  // namespace tripline::agent
