#pragma once

#include <memory>
#include <string>

#include "common/kafka/kafka_client.h"
#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// Produces each alert's ECS document to the alerts topic, key = alert id (idempotent producer).
// A record whose delivery failed is produced again by Flush(), which returns OK only once every
// alert written so far was delivered, so the caller never commits the events behind an alert that
// did not arrive.
class KafkaAlertSink final : public AlertSink {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaAlertSink>> Create(
      const kafka::KafkaSettings& settings, std::string topic);

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

  uint64_t resent() const { return resent_; }

 private:
  absl::Status Produce(const std::string& key, const std::string& value);

  KafkaAlertSink() = default;
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);

  std::string name_ = "kafka";
  kafka::Handle producer_;
  std::string topic_;
  std::vector<std::pair<std::string, std::string>> failed_;  // key, value to produce again
  std::string last_error_;
  uint64_t resent_ = 0;
};

}  // namespace tripline::correlator
