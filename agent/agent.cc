#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include "agent/sources/fim/fim_source.h"
#include "agent/sources/winevent/winevent_source.h"
#include "common/signals.h"
#include "common/time_util.h"

namespace tripline::agent {

Agent::Agent(const AgentConfig& config)
    : config_(config), states_(config.data_dir + "/state") {
  identity_.agent_id = config.agent_id;
  identity_.host.set_id(config.agent_id);
  identity_.host.set_name(config.host_name);
  identity_.host.set_exchange_build(config.exchange_build);
#ifdef _WIN32
  identity_.host.set_os_type("windows");
#else
  identity_.host.set_os_type("linux");
#endif
  fim_identity_.agent_id = identity_.agent_id;
  fim_identity_.host = identity_.host;
}

Agent::~Agent() = default;

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(const AgentConfig& config,
                                                     std::string config_path) {
  std::unique_ptr<Agent> agent(new Agent(config));
  agent->config_path_ = std::move(config_path);
  TRIPLINE_RETURN_IF_ERROR(agent->states_.Init());
  TRIPLINE_ASSIGN_OR_RETURN(agent->spool_, spool::Spool::Open(config.spool));
  TRIPLINE_RETURN_IF_ERROR(agent->BuildSources());
  TRIPLINE_RETURN_IF_ERROR(agent->wakeup_.Open());
  TRIPLINE_ASSIGN_OR_RETURN(agent->shipping_,
                            ShippingThread::Start(config.kafka, config.topic, &agent->wakeup_));
  TRIPLINE_ASSIGN_OR_RETURN(agent->metrics_, AgentMetrics::Start(config.metrics_listen));
#ifndef _WIN32
  if (config.fleet.enabled) {
    TRIPLINE_ASSIGN_OR_RETURN(agent->fleet_, FleetClient::Start(config.fleet, config.host_name,
                                                                config.exchange_build));
  }
#endif
  return agent;
}

// The one place that knows which source types exist.
absl::Status Agent::BuildSources() {
  sources_.clear();
  appended_.clear();
  saved_.clear();
  for (const auto& fc : config_.file_sources) {
    sources_.push_back(std::make_unique<FileSource>(fc, &identity_));
  }
  for (const auto& fc : config_.fim_sources) {
    sources_.push_back(std::make_unique<FimSource>(fc, &fim_identity_));
  }
#ifndef TRIPLINE_WITHOUT_EVTX
  for (const auto& ec : config_.evtx_sources) {
    sources_.push_back(std::make_unique<EvtxSource>(ec, identity_.agent_id, identity_.host));
  }
#endif
#ifdef _WIN32
  // On Linux the config loader refuses winevent sources: the list is empty there.
  for (const auto& wc : config_.winevent_sources) {
    sources_.push_back(std::make_unique<WineventSource>(wc, identity_.agent_id, identity_.host));
  }
#endif
#ifndef _WIN32
  for (const auto& pc : config_.process_sources) {
    sources_.push_back(std::make_unique<ProcessSource>(pc, &identity_));
  }
  for (const auto& sc : config_.service_sources) {
    sources_.push_back(std::make_unique<ServiceSource>(sc, &identity_));
  }
  for (const auto& nc : config_.network_sources) {
    sources_.push_back(std::make_unique<NetworkSource>(nc, &identity_));
  }
#endif
  for (auto& source : sources_) {
    TRIPLINE_ASSIGN_OR_RETURN(std::string state, states_.Load(source->name()));
    TRIPLINE_RETURN_IF_ERROR(source->Start(state));
    saved_.push_back(std::move(state));
    appended_.push_back(0);
  }
  return absl::OkStatus();
}

absl::Status Agent::Reload() {
  auto fresh = LoadAgentConfig(config_path_);
  if (!fresh.ok()) {
    spdlog::error("SIGHUP: {} is invalid, keeping the running configuration:\n{}", config_path_,
                  std::string(fresh.status().message()));
    return absl::OkStatus();
  }
  if (fresh->kafka.brokers != config_.kafka.brokers || fresh->topic != config_.topic ||
      fresh->spool.dir != config_.spool.dir || fresh->agent_id != config_.agent_id) {
    spdlog::warn("SIGHUP: kafka, spool and agent identity changes take effect at the next start");
  }
  // The reader waits between two polls; every record appended so far is made durable and every
  // state saved (unless the disk is full: then the rebuilt sources re-read from their last saved
  // positions; same event ids).
  std::lock_guard lock(sources_mu_);
  DrainPosted();
  absl::Status synced = spool_->Sync();
  if (!synced.ok() && !absl::IsResourceExhausted(synced)) return synced;
  if (synced.ok()) TRIPLINE_RETURN_IF_ERROR(SaveStates(DurableStates()));
  config_.file_sources = fresh->file_sources;
  config_.fim_sources = fresh->fim_sources;
  config_.evtx_sources = fresh->evtx_sources;
  config_.winevent_sources = fresh->winevent_sources;
#ifndef _WIN32
  config_.process_sources = fresh->process_sources;
  config_.service_sources = fresh->service_sources;
  config_.network_sources = fresh->network_sources;
#endif
  TRIPLINE_RETURN_IF_ERROR(BuildSources());
  spdlog::info("SIGHUP: reloaded {} source(s) from {}", sources_.size(), config_path_);
  return absl::OkStatus();
}

size_t Agent::AppendPosted(bool may_hold) {
  reader_->Take(&posted_);
  size_t appended = 0;
  spool_full_ = false;
  held_for_shipping_ = false;
  while (!posted_.empty()) {
    RecordBatch& batch = posted_.front();
    for (; batch.next < batch.items.size(); ++batch.next) {
      const RecordBatch::Item& item = batch.items[batch.next];
      std::string_view key = batch.key(item), value = batch.value(item);
      // While Kafka keeps up, a record the shipping thread cannot take yet waits here for the next
      // delivery report rather than in the spool: once one record misses the fast path, it and
      // every record after it are read back from disk, which costs more than the wait. With no
      // delivery for kHoldForShipping (Kafka down, or slower than the logs grow) the spool takes
      // everything, as designed; the held records are not durable and do not count as read.
      if (may_hold && spool_->CaughtUp() && shipping_->Full() &&
          std::chrono::steady_clock::now() - last_delivery_ < kHoldForShipping) {
        held_for_shipping_ = true;
        return appended;
      }
      auto seq = spool_->Append(key, value);
      if (!seq.ok()) {
        // Spool at quota (block policy) or disk full: the record waits here, the reader stops
        // once its queue is full; nothing is skipped. Any other failure is retried as well.
        bool full = absl::IsResourceExhausted(seq.status());
        if (counters_.spool_full_pauses++ % 1000 == 0) {
          if (full) {
            spdlog::warn("spool full ({} bytes, {} unsent): sources paused", spool_->bytes(),
                         spool_->unacked());
          } else {
            spdlog::error("spool: {} (retrying)", seq.status().ToString());
          }
        }
        spool_full_ = true;
        return appended;
      }
      ++appended_[item.source];
      ++appended;
      // The fast path: nothing older waits to be sent, so hand the record to the producer from
      // memory instead of reading it back from the spool (it stays there until acknowledged).
      if (spool_->IsNextToRead(*seq) && shipping_->Offer(*seq, key, value)) {
        spool_->TakenDirectly(*seq);
      }
    }
    reader_->Release(batch);
    posted_.pop_front();
  }
  return appended;
}

void Agent::DrainPosted() {
  (void)AppendPosted(/*may_hold=*/false);
  reader_->Take(&posted_);
  for (const RecordBatch& batch : posted_) reader_->Release(batch);
  posted_.clear();
}

bool Agent::Feed() {
  bool full = false;
  while (const spool::SpoolRecord* record = spool_->Peek()) {
    if (!shipping_->Offer(record->seq, record->key, record->value)) {
      full = true;  // the shipping thread is behind: later
      break;
    }
    spool_->Advance();
  }
  shipping_->Post();
  return full;
}

void Agent::Deliver(std::chrono::milliseconds wait) {
  if (wait.count() > 0) wakeup_.Wait(wait);
  if (shipping_->Collect(&delivered_)) {
    // The producer was recreated after a fatal error: everything not delivered goes again.
    spool_->Rewind();
  }
  for (uint64_t seq : delivered_) spool_->Ack(seq);
  if (!delivered_.empty()) last_delivery_ = std::chrono::steady_clock::now();
  delivered_.clear();
}

absl::Status Agent::Sync() {
  // A full disk is a pause, never a stop: what the spool could not write stays in its buffer
  // (the sources wait, or drop_oldest made room), and the sources' positions stay at the last
  // durable record, so nothing is skipped; the next sync tries again once deliveries have freed
  // whole segments. Any other error stops the agent.
  absl::Status synced = spool_->Sync();
  if (absl::IsResourceExhausted(synced)) {
    if (counters_.disk_full_syncs++ % 100 == 0) {
      spdlog::warn("spool not synced, sources wait ({}; {} unsent)", std::string(synced.message()),
                   spool_->unacked());
    }
  } else {
    TRIPLINE_RETURN_IF_ERROR(synced);
  }
  std::vector<std::pair<size_t, std::string>> states;
  {
    std::lock_guard lock(sources_mu_);  // a poll in progress ends first (at most its budget)
    if (synced.ok()) states = DurableStates();
    UpdateFigures();
  }
  // sources_ and its names change only on this thread (Reload), so the lock is not needed here.
  TRIPLINE_RETURN_IF_ERROR(SaveStates(std::move(states)));
  next_sync_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.sync_interval_ms);
  return absl::OkStatus();
}

// Everything appended so far is durable: the sources may count it as read. Called with
// sources_mu_ held; returns the states that changed since the last save, by source index.
std::vector<std::pair<size_t, std::string>> Agent::DurableStates() {
  std::vector<std::pair<size_t, std::string>> changed;
  for (size_t i = 0; i < sources_.size(); ++i) {
    std::string state = sources_[i]->DurableState(appended_[i]);
    if (state != saved_[i]) changed.emplace_back(i, std::move(state));
  }
  return changed;
}

// Writes the states (each with its own fsync; the reader polls meanwhile). A state that cannot be
// written for a full disk is saved at a later sync (the source re-reads a little after a crash
// meanwhile: at least once, same event ids).
absl::Status Agent::SaveStates(std::vector<std::pair<size_t, std::string>> states) {
  for (auto& [i, state] : states) {
    if (absl::Status st = states_.Save(sources_[i]->name(), state); !st.ok()) {
      if (!absl::IsResourceExhausted(st)) return st;
      if (counters_.disk_full_syncs++ % 100 == 0) {
        spdlog::warn("source {}: position not saved: {}", sources_[i]->name(), st.ToString());
      }
      continue;
    }
    saved_[i] = std::move(state);
    ++counters_.state_saves;
    last_save_ = std::chrono::steady_clock::now();
  }
  return absl::OkStatus();
}

absl::Status Agent::Run() {
  spdlog::info("agent {} shipping {} source(s) to {} topic {} (spool {})", config_.agent_id,
               sources_.size(), config_.kafka.brokers, config_.topic, config_.spool.dir);
  absl::Status result = absl::OkStatus();
  reader_ = std::make_unique<ReaderThread>(&sources_, &sources_mu_, &wakeup_,
                                           std::chrono::milliseconds(config_.poll_interval_ms));
  reader_->Start();
  last_delivery_ = std::chrono::steady_clock::now();
  while (!StopSignal::StopRequested() && result.ok()) {
    size_t appended = AppendPosted();
    bool producer_full = Feed();
    // Never spin: with the shipping queue or the spool full, wait for delivery reports to free
    // them (they end the wait early); with nothing new and nothing to send, wait for the reader
    // to post or a report to arrive (either ends the wait), at most the poll interval.
    std::chrono::milliseconds wait(0);
    if (producer_full || spool_full_ || held_for_shipping_) {
      wait = std::chrono::milliseconds(10);
    } else if (appended == 0 && spool_->Peek() == nullptr) {
      wait = std::chrono::milliseconds(config_.poll_interval_ms);
    }
    Deliver(wait);
    if (std::chrono::steady_clock::now() >= next_sync_) result = Sync();
    if (result.ok() && !config_path_.empty() && StopSignal::TakeReloadRequest()) result = Reload();
  }
  // Ordered stop: inputs are stopped and what they read appended; send what the spool holds,
  // bounded; persist.
  reader_->Stop();
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.shutdown_timeout_ms);
  (void)AppendPosted(/*may_hold=*/false);
  while (result.ok() && (spool_->unacked() > 0 || !posted_.empty()) &&
         std::chrono::steady_clock::now() < deadline) {
    (void)AppendPosted(/*may_hold=*/false);
    (void)Feed();
    Deliver(std::chrono::milliseconds(20));
  }
  DrainPosted();
  if (spool_->unacked() > 0) {
    spdlog::warn("stopping with {} record(s) not yet acknowledged; they stay in the spool",
                 spool_->unacked());
  }
  if (absl::Status st = Sync(); !st.ok() && result.ok()) result = st;
  LogTotals();
  return result;
}

void Agent::UpdateFigures() {
  if (metrics_) metrics_->Update(*this, last_save_);
  UpdateFleet();
}

void Agent::UpdateFleet() {
#ifndef _WIN32
  if (!fleet_ || !fleet_->WantsFigures()) return;
  FleetFigures f;
  for (const auto& s : sources_) f.source_lag_bytes += s->LagBytes();
  f.spool_bytes = spool_->bytes();
  int64_t oldest = spool_->oldest_unacked_time_us();
  f.oldest_unsent_age_s = oldest == 0 ? 0 : (MicrosFromTimestamp(NowTimestamp()) - oldest) / 1e6;
  f.spool_full = spool_full_;
  fleet_->Update(f);
#endif
}

void Agent::LogTotals() const {
  for (const auto& s : sources_) {
    const SourceCounters& c = s->counters();
    spdlog::info(
        "source {}: {} records, {} bytes, {} parse errors, {} cut, {} read errors, {} "
        "encoding errors",
        s->name(), c.records, c.bytes, c.parse_errors, c.truncated, c.read_errors,
        c.encoding_errors);
  }
  const auto& k = shipping_->counters();
  const auto& sp = spool_->counters();
  spdlog::info("kafka: {} produced, {} delivered, {} re-sent; spool: {} appended, {} acked, {} "
               "dropped, {} corrupt",
               k.produced, k.delivered, k.retried, sp.appended, sp.acked, sp.dropped, sp.corrupt);
}

}  // namespace tripline::agent
