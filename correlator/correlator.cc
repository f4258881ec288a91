#include "correlator/correlator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "common/signals.h"
#include "common/time_util.h"
#include "correlator/api/fleet_alert.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"
#include "correlator/rules.h"
#include "correlator/sinks/ecs/alert_ecs.h"
#include "correlator/sinks/jsonl/jsonl_sink.h"
#include "correlator/sinks/kafka/kafka_alert_sink.h"
#include "correlator/sinks/opensearch/bulk_sink.h"
#include "correlator/sinks/splunk_hec/splunk_hec_sink.h"
#include "correlator/sinks/syslog/syslog_sink.h"

namespace tripline::correlator {

Correlator::Correlator(const CorrelatorConfig& config) : config_(config) {}

absl::StatusOr<std::unique_ptr<Correlator>> Correlator::Create(
    const CorrelatorConfig& config, std::shared_ptr<const engine::RuleSet> rules) {
  std::unique_ptr<Correlator> c(new Correlator(config));
  if (config.create_topics) {
    TRIPLINE_ASSIGN_OR_RETURN(kafka::Conf conf, kafka::MakeConf(config.kafka, {}));
    TRIPLINE_ASSIGN_OR_RETURN(kafka::Handle admin,
                              kafka::MakeClient(RD_KAFKA_PRODUCER, std::move(conf)));
    std::vector<std::string> topics = {config.events_topic};
    if (!config.alerts_topic.empty()) topics.push_back(config.alerts_topic);
    TRIPLINE_RETURN_IF_ERROR(kafka::EnsureTopics(admin.get(), topics, config.topic_partitions,
                                                 std::chrono::seconds(30)));
  }
  std::vector<std::unique_ptr<AlertSink>> sinks;
  if (!config.jsonl_path.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, JsonlSink::Open(config.jsonl_path));
    sinks.push_back(std::move(sink));
  }
  if (config.stdout_alerts) sinks.push_back(JsonlSink::Stdout());
  if (!config.alerts_topic.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, KafkaAlertSink::Create(config.kafka, config.alerts_topic));
    sinks.push_back(std::move(sink));
  }
  if (config.splunk_hec) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, SplunkHecSink::Create(*config.splunk_hec));
    sinks.push_back(std::move(sink));
  }
  if (config.elasticsearch) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, BulkSink::Create(*config.elasticsearch));
    sinks.push_back(std::move(sink));
  }
  if (config.syslog) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, SyslogSink::Create(*config.syslog));
    sinks.push_back(std::move(sink));
  }
  // Receivers across the network get an outbox on disk: one that is down holds its alerts there
  // without stalling the other sinks or the consumer.
  for (auto& sink : sinks) {
    if (!config.outbox.enabled || sink->local()) continue;
    TRIPLINE_ASSIGN_OR_RETURN(auto outbox, OutboxSink::Open(std::move(sink), config.outbox));
    spdlog::info("sink {}: outbox in {}", outbox->name(), outbox->dir());
    c->outboxes_.push_back(outbox.get());
    sink = std::move(outbox);
  }
  DispatchPolicy policy;
  policy.drop_on_failure = config.drop_on_sink_failure;
  policy.max_attempts = config.sink_max_attempts;
  policy.backoff = std::chrono::milliseconds(config.sink_backoff_ms);
  Correlator* self = c.get();
  c->dispatcher_ = std::make_unique<AlertDispatcher>(
      std::move(sinks), policy, &StopSignal::StopRequested, [self] {
        self->metrics_->SetSinkFailing(true);
        self->UpdateMetrics();
      });
  c->rules_ = std::move(rules);
  TRIPLINE_ASSIGN_OR_RETURN(c->metrics_, CorrelatorMetrics::Start(config.metrics_listen));
  int workers = config.workers > 0
                    ? config.workers
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  c->pool_ = std::make_unique<WorkerPool>(workers);
  c->worker_batches_.resize(static_cast<size_t>(workers));
  c->counters_.events_by_worker.assign(static_cast<size_t>(workers), 0);
  if (!config.api_listen.empty()) {
    auto store = AlertStore::Open(config.alerts_dir);
    if (store.ok()) {
      c->store_ = *std::move(store);
    } else {
      spdlog::warn("{}; ListAlerts and GetAlert are unavailable", store.status().ToString());
    }
    c->fleet_ = std::make_unique<FleetRegistry>(
        config.fleet, [] { return MicrosFromTimestamp(NowTimestamp()); });
    if (absl::Status st = c->fleet_->Load(); !st.ok()) {
      spdlog::warn("fleet: {}; starting with no known agent", st.ToString());
    }
    TRIPLINE_ASSIGN_OR_RETURN(c->api_, ApiServer::Start(config.api_listen, config.api_security,
                                                         &c->hub_, c->store_.get(), c.get(),
                                                         c->fleet_.get()));
    spdlog::info("gRPC API on port {} (AlertService, RuleService, FleetService)", c->api_->port());
  }
  TRIPLINE_ASSIGN_OR_RETURN(c->consumer_, EventConsumer::Create(config.kafka, config.group_id,
                                                                config.events_topic, c.get()));
  return c;
}

absl::StatusOr<std::unique_ptr<PartitionCheckpoint>> Correlator::OpenCheckpoint(int32_t partition) {
  std::string dir = config_.state_dir + "/" + config_.events_topic + "-" + std::to_string(partition);
  // The member that had the partition closes its checkpoint when the partition is revoked, before
  // the group hands it on; a member that died releases it with its process. Allow for stragglers.
  absl::Status last;
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto cp = PartitionCheckpoint::Open(dir);
    if (cp.ok()) return cp;
    last = cp.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

std::unique_ptr<engine::Engine> Correlator::NewEngine() const {
  auto e = std::make_unique<engine::Engine>(rules_);
  e->set_state_caps(config_.state_caps);
  e->set_allowed_lateness_us(config_.allowed_lateness_ms * 1000);
  e->set_suppression_window_us(config_.suppression_window_ms * 1000);
  return e;
}

void Correlator::Retire(const engine::Engine& engine) {
  const engine::EngineCounters& c = engine.counters();
  retired_.matched_events += c.matched_events;
  retired_.suppressed += c.suppressed;
  engine::StateTotals t = engine.state_totals();
  retired_state_.late += t.late;
  retired_state_.evicted += t.evicted;
}

void Correlator::UpdateMetrics() {
  CorrelatorStats s;
  s.events = counters_.events;
  s.decode_errors = counters_.decode_errors;
  s.alerts = counters_.alerts;
  s.checkpoints = counters_.checkpoints;
  s.commits = counters_.commits;
  s.restored = counters_.restored;
  s.restore_failures = counters_.restore_failures;
  s.reloads = reloads_;
  s.events_by_worker = counters_.events_by_worker;
  AddSinkStats(s);
  AddEngineStats(s);
  s.rules = rules_->size();
  metrics_->Update(s);
}

// Per sink: what the dispatcher handed it, and for remote sinks what their outbox and receiver
// report.
void Correlator::AddSinkStats(CorrelatorStats& s) const {
  for (const auto& [name, c] : dispatcher_->counters()) {
    s.sinks[name] = {c.written, c.failures, c.dropped};
  }
  for (const OutboxSink* outbox : outboxes_) {
    OutboxStats o = outbox->stats();
    CorrelatorStats::Sink& sink = s.sinks[outbox->name()];
    sink.has_outbox = true;
    sink.delivered = o.delivered;
    sink.delivery_failures = o.failures;
    sink.outbox_dropped = o.dropped;
    sink.pending = o.pending;
    sink.bytes = o.bytes;
    sink.oldest_age_seconds = o.oldest_age_seconds;
    sink.receiver_failing = o.failing;
    sink.receiver = outbox->ReceiverCounters();
  }
}

// The engines' counters, those of partitions given up before (retired_) included, and each
// partition's watermark lag.
void Correlator::AddEngineStats(CorrelatorStats& s) const {
  s.matched_events = retired_.matched_events;
  s.suppressed = retired_.suppressed;
  s.late = retired_state_.late;
  s.evicted = retired_state_.evicted;
  const int64_t now_us = MicrosFromTimestamp(NowTimestamp());
  for (const auto& [id, p] : partitions_) {
    s.matched_events += p.engine->counters().matched_events;
    s.suppressed += p.engine->counters().suppressed;
    engine::StateTotals t = p.engine->state_totals();
    s.late += t.late;
    s.evicted += t.evicted;
    int64_t wm = p.engine->watermark_us();
    s.watermark_lag_seconds[id] = wm > 0 ? static_cast<double>(now_us - wm) / 1e6 : 0.0;
  }
}

std::vector<int64_t> Correlator::OnAssigned(const std::vector<int32_t>& partitions) {
  std::vector<int64_t> start;
  std::vector<int> load(worker_batches_.size(), 0);
  for (const auto& [id, p] : partitions_) ++load[static_cast<size_t>(p.worker)];
  for (int32_t id : partitions) {
    Partition p;
    p.engine = NewEngine();
    // The least loaded worker (ties: the lowest), so that any assignment spreads evenly.
    p.worker = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    ++load[static_cast<size_t>(p.worker)];
    int64_t from = -1;
    auto cp = OpenCheckpoint(id);
    if (!cp.ok()) {
      fatal_ = cp.status();
      spdlog::error("partition {}: {}", id, cp.status().ToString());
    } else {
      p.checkpoint = *std::move(cp);
      auto saved = p.checkpoint->Load();
      if (saved.ok() && saved->has_value()) {
        absl::Status st = p.engine->RestoreState((*saved)->state);
        if (st.ok()) {
          from = (*saved)->next_offset;
          p.next_offset = p.checkpointed = from;
          ++counters_.restored;
          spdlog::info("partition {}: resuming at offset {} with its checkpointed state", id, from);
        } else {
          ++counters_.restore_failures;
          spdlog::error("partition {}: checkpoint state unreadable ({}); state starts empty", id,
                        st.ToString());
          p.engine = NewEngine();
        }
      } else if (!saved.ok()) {
        ++counters_.restore_failures;
        spdlog::error("partition {}: {}; state starts empty", id, saved.status().ToString());
      }
    }
    partitions_[id] = std::move(p);
    start.push_back(from);
  }
  return start;
}

void Correlator::OnRevoked(const std::vector<int32_t>& partitions) {
  if (absl::Status st = Checkpoint(partitions); !st.ok()) {
    spdlog::error("checkpoint at revocation: {}", st.ToString());
    if (fatal_.ok()) fatal_ = st;
  }
  for (int32_t id : partitions) {
    auto it = partitions_.find(id);
    if (it == partitions_.end()) continue;
    Retire(*it->second.engine);
    partitions_.erase(it);  // closes its checkpoint
  }
}

absl::Status Correlator::Checkpoint(const std::vector<int32_t>& only) {
  std::vector<std::pair<int32_t, int64_t>> commit;
  std::string state;
  for (auto& [id, p] : partitions_) {
    if (!only.empty() && std::find(only.begin(), only.end(), id) == only.end()) continue;
    if (p.next_offset >= 0 && p.next_offset != p.checkpointed) {
      if (p.checkpoint) {
        state.clear();
        p.engine->SaveState(&state);
        TRIPLINE_RETURN_IF_ERROR(p.checkpoint->Save(p.next_offset, state));
        ++counters_.checkpoints;
      }
      p.checkpointed = p.next_offset;
    }
    if (p.checkpointed >= 0 && p.checkpointed != p.committed) {
      commit.emplace_back(id, p.checkpointed);
    }
  }
  // A failed commit is not fatal: the checkpoints hold these offsets and an assigned partition
  // resumes from its checkpoint, not from the committed offset. It fails while the broker or the
  // group coordinator is away (Kafka down must not stop the correlator); the offsets are
  // committed again at the next checkpoint.
  if (absl::Status st = consumer_->CommitOffsets(commit); !st.ok()) {
    if (counters_.commit_failures++ % 20 == 0) {
      spdlog::warn("{} ({} failure(s) so far; committed again at the next checkpoint)",
                   st.ToString(), counters_.commit_failures);
    }
    return absl::OkStatus();
  }
  for (const auto& [id, offset] : commit) partitions_[id].committed = offset;
  if (!commit.empty()) ++counters_.commits;
  return absl::OkStatus();
}

absl::Status Correlator::ProcessBatch(const std::vector<Message>& batch) {
  for (WorkerBatch& w : worker_batches_) w.records.clear();
  for (const Message& m : batch) {
    ++counters_.events;
    auto it = partitions_.find(m->partition);
    if (it == partitions_.end()) continue;  // revoked while the batch was read
    worker_batches_[static_cast<size_t>(it->second.worker)].records.emplace_back(m.get(),
                                                                                 &it->second);
  }
  pool_->RunOnAll([this](int index) {
    WorkerBatch& w = worker_batches_[static_cast<size_t>(index)];
    for (const auto& [m, partition] : w.records) {
      if (!w.event.ParseFromArray(m->payload, static_cast<int>(m->len))) {
        ++w.decode_errors;
        if (w.decode_errors <= 10 || w.decode_errors % 1000 == 0) {
          spdlog::warn("partition {} offset {}: not a Tripline Event ({} so far on worker {}), "
                       "skipped", m->partition, m->offset, w.decode_errors, index);
        }
        continue;
      }
      ++w.events;
      partition->engine->Process(w.event, &w.alerts);
    }
  });
  for (size_t i = 0; i < worker_batches_.size(); ++i) {
    WorkerBatch& w = worker_batches_[i];
    counters_.events_by_worker[i] = w.events;
    counters_.decode_errors += w.decode_errors;
    w.decode_errors = 0;
    std::move(w.alerts.begin(), w.alerts.end(), std::back_inserter(pending_alerts_));
    w.alerts.clear();
  }
  TRIPLINE_RETURN_IF_ERROR(Dispatch());
  // The alerts are in every sink: the events behind them count as processed.
  for (const Message& m : batch) {
    auto it = partitions_.find(m->partition);
    if (it != partitions_.end()) it->second.next_offset = m->offset + 1;
  }
  return absl::OkStatus();
}

absl::Status Correlator::Dispatch() {
  if (pending_alerts_.empty()) return absl::OkStatus();
  std::vector<std::string> json;
  json.reserve(pending_alerts_.size());
  for (const v1::Alert& alert : pending_alerts_) {
    json.push_back(AlertToEcsJson(alert));
    spdlog::warn("ALERT [{}] {} (rule {}, alert {})", SeverityName(alert.severity()),
                 alert.message(), alert.rule().id(), alert.alert_id());
  }
  // Every sink must hold the alerts (or have dropped them, by policy) before the events behind
  // them are committed. A sink that cannot deliver keeps the dispatcher retrying, which holds
  // back consumption (backpressure).
  absl::Status st = dispatcher_->Dispatch(pending_alerts_, json);
  metrics_->SetSinkFailing(dispatcher_->failing());
  TRIPLINE_RETURN_IF_ERROR(st);
  // In the sinks now: the analyst feed and the recent-alerts store get them too.
  for (const v1::Alert& alert : pending_alerts_) {
    if (store_) {
      if (absl::Status put = store_->Put(alert); !put.ok()) spdlog::warn("{}", put.ToString());
    }
    hub_.Publish(alert);
  }
  counters_.alerts += pending_alerts_.size();
  pending_alerts_.clear();
  return absl::OkStatus();
}

// Agents whose heartbeats stopped raise their alert here, on Run()'s thread between batches, so
// that it takes the rule alerts' path (every sink, then the store and the live feed) with the same
// backpressure; the registry is saved only once the alert is in the sinks, so a crash in between
// raises it again (same alert id) rather than never.
absl::Status Correlator::CheckFleet() {
  if (!fleet_) return absl::OkStatus();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_fleet_check_) return absl::OkStatus();
  // A tenth of the interval (within 250 ms .. 5 s): silence is seen well inside one interval.
  next_fleet_check_ = now + std::clamp(std::chrono::milliseconds(config_.fleet.heartbeat_interval_s * 100),
                                       std::chrono::milliseconds(250), std::chrono::milliseconds(5000));
  const int64_t now_us = MicrosFromTimestamp(NowTimestamp());
  for (const FleetTransition& t : fleet_->Check()) {
    const std::string& id = t.agent.agent_id();
    const std::string seen = Rfc3339(TimestampFromMicros(t.last_seen_us));
    switch (t.kind) {
      case FleetTransition::Kind::kSilent:
        spdlog::warn("fleet: agent {} (host {}) is silent: last heartbeat {}", id,
                     t.agent.host_name(), seen);
        pending_alerts_.push_back(
            AgentSilentAlert(t.agent, t.last_seen_us, now_us, fleet_->silent_after_us()));
        break;
      case FleetTransition::Kind::kBack:
        spdlog::info("fleet: agent {} (host {}) is back after a silence (last heartbeat before: {})",
                     id, t.agent.host_name(), seen);
        break;
      case FleetTransition::Kind::kDegraded:
        spdlog::warn("fleet: agent {} (host {}) reports degraded (lag {} bytes, spool {} bytes)", id,
                     t.agent.host_name(), t.agent.source_lag_bytes(), t.agent.spool_bytes());
        break;
      case FleetTransition::Kind::kRecovered:
        spdlog::info("fleet: agent {} (host {}) reports ok again", id, t.agent.host_name());
        break;
    }
  }
  TRIPLINE_RETURN_IF_ERROR(Dispatch());
  if (absl::Status st = fleet_->SaveIfChanged(); !st.ok()) spdlog::warn("fleet: {}", st.ToString());
  return absl::OkStatus();
}

absl::Status Correlator::Run() {
  spdlog::info("correlator in group {} consuming {} from {}", config_.group_id,
               config_.events_topic, config_.kafka.brokers);
  absl::Status result = absl::OkStatus();
  while (!StopSignal::StopRequested()) {
    std::vector<Message> batch = consumer_->PollBatch(static_cast<size_t>(config_.batch_size),
                                                      std::chrono::milliseconds(200));
    if (!batch.empty()) {
      result = ProcessBatch(batch);
      if (!result.ok()) break;
    }
    if (!fatal_.ok()) {
      result = fatal_;
      break;
    }
    ServeReloadRequests();
    result = CheckFleet();
    if (!result.ok()) break;
    auto now = std::chrono::steady_clock::now();
    if (now - last_commit_ >= std::chrono::milliseconds(config_.commit_interval_ms)) {
      // A failed checkpoint is fatal: committing without one could lose a pending sequence.
      result = Checkpoint();
      if (!result.ok()) break;
      last_commit_ = now;
      UpdateMetrics();
    }
  }
  spdlog::info("stopping: final checkpoint and commit, leaving the group");
  {
    std::lock_guard lock(reload_mu_);
    if (reload_request_) {
      v1::ReloadResponse stopping;
      stopping.add_errors("the correlator is stopping");
      reload_request_->set_value(std::move(stopping));
      reload_request_.reset();
    }
  }
  api_.reset();  // ends the alert streams
  if (fleet_ && result.ok()) {
    if (absl::Status st = fleet_->SaveIfChanged(); !st.ok()) spdlog::warn("fleet: {}", st.ToString());
  }
  if (absl::Status st = Checkpoint(); !st.ok() && result.ok()) result = st;
  consumer_->Close();
  UpdateMetrics();
  std::string by_worker;
  for (uint64_t n : counters_.events_by_worker) {
    by_worker += (by_worker.empty() ? "" : ",") + std::to_string(n);
  }
  spdlog::info(
      "{} events, {} alerts, {} undecodable records, {} checkpoints, {} failed commits, "
      "{} partitions resumed from a checkpoint; events by worker [{}]",
      counters_.events, counters_.alerts, counters_.decode_errors, counters_.checkpoints,
      counters_.commit_failures, counters_.restored, by_worker);
  return result;
}

namespace {

// Every rule of a set, whatever its kind, as the RuleService lists it.
void AppendRuleInfos(const engine::RuleSet& rules, const std::string& file_override,
                     google::protobuf::RepeatedPtrField<v1::RuleInfo>* out) {
  auto add = [&](const engine::RuleMetadata& m, const char* kind) {
    v1::RuleInfo* info = out->Add();
    info->set_id(m.id);
    info->set_title(m.title);
    info->set_kind(kind);
    info->set_file(file_override.empty() ? m.file : file_override);
  };
  for (const auto& r : rules.rules()) add(r->metadata(), "sigma");
  for (const auto& c : rules.correlations()) add(c.rule->metadata, "correlation");
  for (const auto& q : rules.sequences()) add(q->metadata, "sequence");
  for (const auto& f : rules.first_seen()) add(f->metadata, "first_seen");
}

}  // namespace

std::vector<v1::RuleInfo> Correlator::ListRules() {
  std::shared_ptr<const engine::RuleSet> rules;
  {
    std::lock_guard lock(rules_mu_);
    rules = rules_;
  }
  google::protobuf::RepeatedPtrField<v1::RuleInfo> infos;
  AppendRuleInfos(*rules, "", &infos);
  return {infos.begin(), infos.end()};
}

v1::ValidateResponse Correlator::Validate(const std::string& yaml, const std::string& name) {
  v1::ValidateResponse resp;
  std::vector<std::string> errors;
  engine::FieldMap field_map = engine::FieldMap::LoadFile(config_.field_map, &errors);
  engine::RuleLoader loader(&field_map);
  engine::LoadResult result = loader.LoadString(yaml, name);
  errors.insert(errors.end(), result.errors.begin(), result.errors.end());
  for (auto& e : errors) resp.add_errors(std::move(e));
  if (result.rules) AppendRuleInfos(*result.rules, name, resp.mutable_rules());
  return resp;
}

v1::ReloadResponse Correlator::Reload() {
  std::future<v1::ReloadResponse> done;
  {
    std::lock_guard lock(reload_mu_);
    if (reload_request_) {
      v1::ReloadResponse busy;
      busy.add_errors("a reload is already in progress");
      return busy;
    }
    reload_request_.emplace();
    done = reload_request_->get_future();
  }
  if (done.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
    v1::ReloadResponse late;
    late.add_errors("the correlator did not get to the reload within 120 s");
    return late;
  }
  return done.get();
}

void Correlator::ServeReloadRequests() {
  if (StopSignal::TakeReloadRequest()) {
    v1::ReloadResponse r = ReloadNow();
    for (const auto& e : r.errors()) spdlog::error("SIGHUP reload: {}", e);
  }
  {
    std::lock_guard lock(reload_mu_);
    if (!reload_request_) return;
  }
  v1::ReloadResponse r = ReloadNow();
  std::lock_guard lock(reload_mu_);
  reload_request_->set_value(std::move(r));
  reload_request_.reset();
}

// A new rule set replaces the old one on every partition; each engine's state goes through its
// snapshot, so the state of rules that still exist is kept and that of removed rules dropped.
v1::ReloadResponse Correlator::ReloadNow() {
  v1::ReloadResponse resp;
  auto rules = LoadConfiguredRules(config_);
  if (!rules.ok()) {
    std::string text(rules.status().message());
    for (size_t pos = 0; pos < text.size();) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      if (end > pos) resp.add_errors(text.substr(pos, end - pos));
      pos = end + 1;
    }
    resp.set_rules(static_cast<uint32_t>(rules_->size()));
    return resp;
  }
  {
    std::lock_guard lock(rules_mu_);
    rules_ = *rules;
  }
  std::string state;
  for (auto& [id, p] : partitions_) {
    state.clear();
    p.engine->SaveState(&state);
    auto fresh = NewEngine();
    if (absl::Status st = fresh->RestoreState(state); !st.ok()) {
      spdlog::warn("partition {}: state not carried over the reload: {}", id, st.ToString());
    }
    Retire(*p.engine);
    p.engine = std::move(fresh);
  }
  ++reloads_;
  resp.set_rules(static_cast<uint32_t>(rules_->size()));
  spdlog::info("rules reloaded: {} rule(s) in force", rules_->size());
  return resp;
}

}  // namespace tripline::correlator
