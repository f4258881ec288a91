#include "correlator/correlator.h"

#include <spdlog/spdlog.h>

#include "common/signals.h"
#include "correlator/sinks/ecs/alert_ecs.h"
#include "correlator/sinks/jsonl/jsonl_sink.h"
#include "correlator/sinks/kafka/kafka_alert_sink.h"

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
  if (!config.jsonl_path.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, JsonlSink::Open(config.jsonl_path));
    c->sinks_.push_back(std::move(sink));
  }
  if (!config.alerts_topic.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(auto sink, KafkaAlertSink::Create(config.kafka, config.alerts_topic));
    c->sinks_.push_back(std::move(sink));
  }
  c->engine_ = std::make_unique<engine::Engine>(std::move(rules));
  TRIPLINE_ASSIGN_OR_RETURN(c->consumer_,
                            EventConsumer::Create(config.kafka, config.group_id, config.events_topic));
  return c;
}

absl::Status Correlator::ProcessBatch(const std::vector<Message>& batch) {
  for (const Message& m : batch) {
    ++counters_.events;
    if (!event_.ParseFromArray(m->payload, static_cast<int>(m->len))) {
      ++counters_.decode_errors;
      if (counters_.decode_errors <= 10 || counters_.decode_errors % 1000 == 0) {
        spdlog::warn("partition {} offset {}: not a Tripline Event ({} so far), skipped",
                     m->partition, m->offset, counters_.decode_errors);
      }
      continue;
    }
    engine_->Process(event_, &pending_alerts_);
  }
  TRIPLINE_RETURN_IF_ERROR(Dispatch());
  for (const Message& m : batch) consumer_->MarkProcessed(m.get());
  return absl::OkStatus();
}

absl::Status Correlator::Dispatch() {
  if (pending_alerts_.empty()) return absl::OkStatus();
  for (const v1::Alert& alert : pending_alerts_) {
    std::string json = AlertToEcsJson(alert);
    spdlog::warn("ALERT [{}] {} (rule {}, alert {})", SeverityName(alert.severity()),
                 alert.message(), alert.rule().id(), alert.alert_id());
    for (auto& sink : sinks_) TRIPLINE_RETURN_IF_ERROR(sink->Write(alert, json));
  }
  // Every sink must hold the alerts before the events behind them are committed. A sink that
  // cannot deliver keeps us retrying here, which holds back consumption (backpressure).
  for (auto& sink : sinks_) {
    while (true) {
      absl::Status st = sink->Flush(std::chrono::seconds(10));
      if (st.ok()) break;
      spdlog::error("sink {}: {}; retrying", sink->name(), st.ToString());
      if (StopSignal::StopRequested()) return st;
    }
  }
  counters_.alerts += pending_alerts_.size();
  pending_alerts_.clear();
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
    auto now = std::chrono::steady_clock::now();
    if (now - last_commit_ >= std::chrono::milliseconds(config_.commit_interval_ms)) {
      if (absl::Status st = consumer_->Commit(); !st.ok()) {
        spdlog::warn("{}", st.ToString());
      } else {
        ++counters_.commits;
      }
      last_commit_ = now;
    }
  }
  spdlog::info("stopping: final commit and leaving the group");
  consumer_->Close();
  spdlog::info("{} events, {} alerts, {} undecodable records", counters_.events, counters_.alerts,
               counters_.decode_errors);
  return result;
}

}  // namespace tripline::correlator
