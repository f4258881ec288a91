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

// Told when the group gives or takes partitions. Called on the consumer's owner thread from inside
// PollBatch() or Close(), before the assignment changes.
class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // Partitions given to this member. Returns, per partition, where to start: an offset from the
  // partition's checkpoint, or -1 for the group's committed offset.
  virtual std::vector<int64_t> OnAssigned(const std::vector<int32_t>& partitions) = 0;
  // Partitions taken away: the listener checkpoints them and commits their offsets now.
  virtual void OnRevoked(const std::vector<int32_t>& partitions) = 0;
};

// A member of the correlator's Kafka consumer group on the events topic.
//
// Offsets are never committed automatically: the correlator commits a partition's offset only
// after the alerts its events caused were delivered and its state was checkpointed (DESIGN.md §4).
// Thread: one owner thread.
class EventConsumer {
 public:
  // `listener` (may be null) must outlive the consumer.
  static absl::StatusOr<std::unique_ptr<EventConsumer>> Create(const kafka::KafkaSettings& settings,
                                                               const std::string& group_id,
                                                               const std::string& topic,
                                                               PartitionListener* listener = nullptr);
  ~EventConsumer();

  // Up to `max` messages, waiting at most `timeout` for the first. Partition EOF and transient
  // errors are logged and skipped; they are not returned. When the assignment changes during the
  // call, the messages read before the change are dropped (they are read again from where the
  // new owner of their partition resumes).
  std::vector<Message> PollBatch(size_t max, std::chrono::milliseconds timeout);

  // Commits the given next offsets of partitions of the topic (synchronously).
  [[nodiscard]] absl::Status CommitOffsets(const std::vector<std::pair<int32_t, int64_t>>& offsets);
  // Leaves the group cleanly (the revocation lets the listener commit). Called once at stop.
  void Close();

  uint64_t errors() const { return errors_; }

 private:
  EventConsumer() = default;
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);

  kafka::Handle consumer_;
  std::string topic_;
  PartitionListener* listener_ = nullptr;
  uint64_t rebalances_ = 0;
  bool closed_ = false;
  uint64_t errors_ = 0;
};

}  // namespace tripline::correlator
