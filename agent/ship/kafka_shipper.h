#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/kafka_client.h"
#include "common/platform/wakeup.h"

namespace tripline::agent {

// Sends serialized events to the events topic with librdkafka's idempotent producer
// (enable.idempotence=true implies acks=all and ordered, de-duplicated retries per partition).
//
// At-least-once: a record whose delivery report is an error (message timed out, broker gone for
// longer than message.timeout.ms, "possibly persisted") is produced again with the same key and
// bytes, so the same event_id may arrive twice but never zero times. Only successful reports
// come back to the caller as tokens; the caller advances its checkpoints from them.
//
// Thread: one owner thread calls every method. librdkafka's own threads stay inside librdkafka;
// delivery reports are served from Poll() on the owner thread (the ShippingThread).
class KafkaShipper {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaShipper>> Create(const kafka::KafkaSettings& settings,
                                                              std::string topic);
  ~KafkaShipper();

  // Enqueues one record; `token` is returned through Poll() once it is delivered.
  // ResourceExhausted when librdkafka's local queue is full: the caller keeps the record and
  // offers it again after the next Poll() (the spool holds everything meanwhile).
  // InvalidArgument when the record can never be sent (larger than message.max.bytes): counted
  // as rejected, and the caller drops it.
  [[nodiscard]] absl::Status Produce(std::string_view key, std::string_view payload,
                                     uint64_t token);

  // Serves delivery reports for up to `timeout`; appends delivered tokens and re-produces failed
  // records.
  void Poll(std::chrono::milliseconds timeout, std::vector<uint64_t>* delivered);


  // A fatal producer error (idempotence state lost): the producer must be recreated.
  absl::Status FatalError() const;

  // Makes librdkafka signal `wakeup` whenever delivery reports become ready, so that the owner
  // can sleep and still serve them at once. `wakeup` must outlive the producer.
  void NotifyDeliveries(platform::Wakeup* wakeup);

  struct Counters {
    uint64_t produced = 0;
    uint64_t delivered = 0;
    uint64_t retried = 0;  // delivery failed and the record was produced again
    uint64_t rejected = 0;  // larger than the broker accepts (message.max.bytes): never sendable
    std::map<std::string, uint64_t> errors;  // delivery errors by librdkafka error name
    // Errors of the client itself, not of one record (authentication refused, TLS handshake
    // failed, all brokers down), by librdkafka error name. Records stay in the spool meanwhile.
    std::map<std::string, uint64_t> client_errors;
  };
  const Counters& counters() const { return counters_; }
  // Continues the counts of the producer this one replaces.
  void CarryCounters(const Counters& counters) { counters_ = counters; }
  size_t in_flight() const;

 private:
  KafkaShipper() = default;
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void Resend();

  struct Failed {
    std::string key;
    std::string payload;
    uint64_t token;
    std::string error;
  };

  kafka::Handle producer_;
  rd_kafka_queue_t* main_queue_ = nullptr;  // only while NotifyDeliveries() is in effect
  std::string topic_;
  rd_kafka_topic_t* rkt_ = nullptr;
  Counters counters_;
  std::vector<uint64_t>* sink_ = nullptr;  // where OnDelivery puts tokens during a poll
  std::vector<Failed> failed_;
};

}  // namespace tripline::agent
