#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/kafka_client.h"

namespace tripline::correlator {

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

// A member of the correlator's Kafka consumer group on the events topic.
//
// Offsets are never committed automatically: the correlator commits a message's offset only after
// the alerts it caused were delivered (at-least-once, DESIGN.md §4). Thread: one owner thread.
class EventConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<EventConsumer>> Create(const kafka::KafkaSettings& settings,
                                                               const std::string& group_id,
                                                               const std::string& topic);
  ~EventConsumer();

  // Up to `max` messages, waiting at most `timeout` for the first. Partition EOF and transient
  // errors are logged and skipped; they are not returned.
  std::vector<Message> PollBatch(size_t max, std::chrono::milliseconds timeout);

  // Records that every message up to and including `msg` was fully processed.
  void MarkProcessed(const rd_kafka_message_t* msg);
  // Commits what MarkProcessed() recorded (synchronously). No-op when nothing is new.
  [[nodiscard]] absl::Status Commit();
  // Leaves the group cleanly (commits first). Called once at stop.
  void Close();

  uint64_t errors() const { return errors_; }

 private:
  EventConsumer() = default;

  kafka::Handle consumer_;
  bool pending_commit_ = false;
  bool closed_ = false;
  uint64_t errors_ = 0;
};

}  // namespace tripline::correlator
