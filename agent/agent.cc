#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "common/signals.h"

namespace tripline::agent {
namespace {

// A delivery token carries the source index in its top 16 bits and the tracker sequence below.
constexpr int kSourceShift = 48;
constexpr uint64_t kSeqMask = (uint64_t{1} << kSourceShift) - 1;
constexpr size_t kPollBudgetBytes = 1 << 20;

}  // namespace

Agent::Agent(const AgentConfig& config)
    : config_(config), checkpoints_(config.data_dir + "/checkpoints") {
  identity_.agent_id = config.agent_id;
  identity_.host.set_id(config.agent_id);
  identity_.host.set_name(config.host_name);
  identity_.host.set_exchange_build(config.exchange_build);
#ifdef _WIN32
  identity_.host.set_os_type("windows");
#else
  identity_.host.set_os_type("linux");
#endif
}

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(const AgentConfig& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return absl::InternalError("data_dir " + config.data_dir + ": " + ec.message());
  std::unique_ptr<Agent> agent(new Agent(config));
  TRIPLINE_RETURN_IF_ERROR(agent->checkpoints_.Load());
  for (const auto& sc : config.sources) {
    auto source = std::make_unique<FileSource>(sc, &agent->identity_);
    if (const Checkpoint* cp = agent->checkpoints_.Find(sc.name)) {
      spdlog::info("source {}: resuming {} at offset {}", sc.name, sc.path, cp->offset);
      source->Resume(*cp);
    }
    agent->sources_.push_back(std::move(source));
  }
  agent->trackers_.resize(agent->sources_.size());
  TRIPLINE_ASSIGN_OR_RETURN(agent->shipper_, KafkaShipper::Create(config.kafka, config.topic));
  return agent;
}

absl::Status Agent::Emit(size_t source_index, const SourceRecord& record) {
  uint64_t seq = trackers_[source_index].Add(sources_[source_index]->name(),
                                             std::string(record.file_id), record.end_offset);
  uint64_t token = (uint64_t{source_index} << kSourceShift) | seq;
  payload_.clear();
  if (!record.event.SerializeToString(&payload_)) {
    return absl::InternalError("cannot serialize event " + record.event.event_id());
  }
  return shipper_->Produce(record.event.host().id(), payload_, token, &delivered_);
}

void Agent::HandleDelivered() {
  for (uint64_t token : delivered_) {
    size_t source = static_cast<size_t>(token >> kSourceShift);
    if (source < trackers_.size()) trackers_[source].Ack(token & kSeqMask);
  }
  delivered_.clear();
  for (auto& tracker : trackers_) {
    if (auto pos = tracker.PopDelivered()) {
      checkpoints_.Set(pos->source, Checkpoint{pos->file_id, pos->end_offset});
      checkpoints_dirty_ = true;
    }
  }
}

absl::Status Agent::SaveCheckpoints(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!checkpoints_dirty_) return absl::OkStatus();
  if (!force && now - last_checkpoint_ < std::chrono::milliseconds(config_.checkpoint_interval_ms)) {
    return absl::OkStatus();
  }
  TRIPLINE_RETURN_IF_ERROR(checkpoints_.Save());
  checkpoints_dirty_ = false;
  last_checkpoint_ = now;
  return absl::OkStatus();
}

absl::Status Agent::Run() {
  spdlog::info("agent {} shipping {} source(s) to {} topic {}", config_.agent_id, sources_.size(),
               config_.kafka.brokers, config_.topic);
  absl::Status result = absl::OkStatus();
  while (!StopSignal::StopRequested() && result.ok()) {
    size_t read = 0;
    for (size_t i = 0; i < sources_.size() && result.ok(); ++i) {
      auto n = sources_[i]->Poll(kPollBudgetBytes, [this, i](const SourceRecord& r) {
        return Emit(i, r);
      });
      if (n.ok()) {
        read += *n;
      } else {
        spdlog::error("source {}: {}", sources_[i]->name(), n.status().ToString());
      }
    }
    shipper_->Poll(std::chrono::milliseconds(read > 0 ? 0 : config_.poll_interval_ms), &delivered_);
    HandleDelivered();
    result = shipper_->FatalError();
    if (absl::Status st = SaveCheckpoints(false); !st.ok()) spdlog::error("{}", st.ToString());
  }
  // Ordered stop: inputs are already stopped; drain the producer, persist what was delivered.
  spdlog::info("stopping: flushing {} record(s) in flight", shipper_->in_flight());
  size_t left = shipper_->Flush(std::chrono::milliseconds(config_.shutdown_timeout_ms), &delivered_);
  HandleDelivered();
  if (left > 0) {
    spdlog::warn("{} record(s) not yet delivered at stop; they will be read again at next start",
                 left);
  }
  if (absl::Status st = SaveCheckpoints(true); !st.ok()) {
    spdlog::error("{}", st.ToString());
    if (result.ok()) result = st;
  }
  LogTotals();
  return result;
}

void Agent::LogTotals() const {
  for (const auto& s : sources_) {
    const SourceCounters& c = s->counters();
    spdlog::info("source {}: {} lines, {} records, {} parse errors, {} cut lines", s->name(),
                 c.lines, c.records, c.parse_errors, c.truncated_lines);
  }
  const auto& k = shipper_->counters();
  spdlog::info("kafka: {} produced, {} delivered, {} re-sent", k.produced, k.delivered, k.retried);
}

}  // namespace tripline::agent
