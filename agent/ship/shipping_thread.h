#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/ship/kafka_shipper.h"

namespace tripline::agent {

// Runs the Kafka producer on a thread of its own, so that the agent's main loop (reading,
// parsing, spooling) never waits for librdkafka and the two share the host's cores.
//
// Records cross threads by posting, never by sharing: the main loop fills an open batch with
// Offer() and hands it over with Post(); the shipping thread produces it and posts back the
// sequence numbers of delivered records, which the main loop collects with Collect() and
// acknowledges in the spool. The main loop keeps every record in the spool until then, so the
// hand-over queue holds copies only and may refuse records: Offer() returns false once
// `max_queued_bytes` are waiting, and the refused records are offered again later, read back
// from the spool.
//
// A fatal idempotent-producer error is recovered here: the producer is recreated, every record
// handed over until then is forgotten, and Collect() tells the main loop to offer again all that
// is not delivered (the spool rewinds; re-sent records keep their event_id).
//
// Threads: Offer(), Post(), Collect() and the accessors are called from the main loop only; the
// shipping thread owns the KafkaShipper and signals `reports` whenever it has delivery reports
// for Collect(). Stop: the destructor wakes the
// thread, joins it and drops whatever it still held (those records are in the spool).
class ShippingThread {
 public:
  static absl::StatusOr<std::unique_ptr<ShippingThread>> Start(kafka::KafkaSettings settings,
                                                               std::string topic,
                                                               platform::Wakeup* reports,
                                                               size_t max_queued_bytes = 1 << 20);
  ~ShippingThread();
  ShippingThread(const ShippingThread&) = delete;
  ShippingThread& operator=(const ShippingThread&) = delete;

  // Adds a record to the open batch; false (not taken) while the queue is at its bound.
  bool Offer(uint64_t seq, std::string_view key, std::string_view value);
  // True while Offer() would refuse a record for the queue's bound.
  bool Full() const {
    return queued_bytes_.load(std::memory_order_relaxed) + open_.bytes.size() >= max_queued_bytes_;
  }
  // Hands the open batch to the shipping thread (also done by Offer() once it is large).
  void Post();
  // Appends the records delivered since the last call. True when the producer was recreated:
  // the caller must offer again everything not delivered, in order.
  bool Collect(std::vector<uint64_t>* delivered);

  // As of the last Collect().
  const KafkaShipper::Counters& counters() const { return counters_; }
  uint64_t producer_recreated() const { return generation_; }

 private:
  struct Item {
    uint64_t seq;
    uint32_t key_offset, key_size, value_offset, value_size;
  };
  struct Batch {
    uint64_t generation = 0;
    std::string bytes;
    std::vector<Item> items;
    size_t next = 0;  // items before this one were produced
  };

  ShippingThread(kafka::KafkaSettings settings, std::string topic, platform::Wakeup* reports,
                 size_t max_queued_bytes);
  absl::Status CreateProducer();
  void Run();
  // Shipping thread: produces what the local batches hold until librdkafka's queue is full.
  // Returns true when everything was produced.
  bool ProduceLocal();
  void Recover();
  void WaitForWork(bool idle);

  const kafka::KafkaSettings settings_;
  const std::string topic_;
  platform::Wakeup* const reports_;
  const size_t max_queued_bytes_;
  // Signalled when the main loop posted, or librdkafka has delivery reports to serve.
  platform::Wakeup wakeup_;

  // Main loop state.
  Batch open_;
  uint64_t generation_ = 0;  // producers recreated, as last collected
  KafkaShipper::Counters counters_;

  // Posted by the main loop, taken by the shipping thread.
  std::mutex in_mu_;
  std::deque<Batch> inbox_;
  // Bytes posted and not yet produced (or dropped). Atomic so that Offer(), once per record, can
  // check the bound without the lock (a stale read only moves the bound by one batch).
  std::atomic<size_t> queued_bytes_{0};
  bool stop_ = false;

  // Posted by the shipping thread, taken by the main loop.
  std::mutex out_mu_;
  std::vector<uint64_t> delivered_out_;
  KafkaShipper::Counters counters_out_;
  uint64_t generation_out_ = 0;

  // Shipping thread state.
  std::unique_ptr<KafkaShipper> shipper_;
  std::deque<Batch> local_;
  uint64_t generation_local_ = 0;
  std::vector<uint64_t> delivered_local_;
  uint64_t produce_errors_ = 0;  // for sampling their log lines

  std::thread thread_;
};

}  // namespace tripline::agent
