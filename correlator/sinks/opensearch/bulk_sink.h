#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/http/http_client.h"
#include "correlator/sinks/opensearch/bulk_sink_config.h"
#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// Running totals of a BulkSink, readable from any thread.
struct BulkSinkCounters {
  uint64_t sent = 0;             // alerts the cluster created (200/201)
  uint64_t conflicts = 0;        // 409: already there (a resend), counted as delivered
  uint64_t dead_lettered = 0;    // rejected for good (mapping errors, ...): logged and skipped
  uint64_t retried = 0;          // items answered 429/5xx, kept for the next attempt
  uint64_t requests = 0;         // _bulk requests sent
  uint64_t failed_requests = 0;  // transport errors and whole-request 429/5xx/4xx
};

// Sends alerts to Elasticsearch or OpenSearch with POST /_bulk: one `create` action per alert,
// _id = alert id (bulk_protocol.h has the wire format).
//
// Write() only queues the alert; Flush() sends the queue in requests of at most
// batch_max_bytes and judges every item: 201 and 409 (already there) are delivered; 429/5xx
// items stay queued; any other item status is dead-lettered (counted, logged with the alert id
// and the reason, never sent again). Flush() returns OK only when every queued alert is
// delivered or dead-lettered. Otherwise it fails (a whole request answered 429/5xx, a transport
// error, or items left to retry) and the caller retries with its backoff: the caller writes the
// same alerts again, and the ones that got in during a failed attempt are not sent again.
//
// Thread: one caller thread at a time (the dispatcher's, or the outbox's delivery thread);
// counters() from any thread. Owns its HTTP client (one kept-alive connection).
class BulkSink final : public AlertSink {
 public:
  // Reads the secrets (password_file/password_env, api_key_file) and builds the client; does not
  // connect. Errors name the file or variable, never its content.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BulkSink>> Create(
      const BulkSinkConfig& config);
  // With a client of the caller's (tests); `config`'s auth and TLS keys are not used.
  BulkSink(BulkSinkConfig config, std::unique_ptr<http::HttpClient> client);

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

  BulkSinkCounters counters() const;
  Counters ReceiverCounters() const override;
  size_t queued() const { return queue_.size(); }

 private:
  struct Queued {
    std::string id;
    std::string lines;  // action + document, both newline-terminated
  };
  // Sends the queue in requests of at most max_bytes_ (halved after a 413, for this flush); an
  // error when a request as a whole failed or the deadline passed (what settled stays settled).
  absl::Status SendQueue(std::chrono::steady_clock::time_point deadline, std::vector<bool>& settled,
                         size_t& retry_left);
  // Sends queue_[first, last) as one request; marks each item delivered or dead-lettered in
  // `settled` and counts the ones to retry in `retry_left`. An error when the request as a whole
  // failed; ResourceExhausted for 413 (SendQueue() then halves the request size).
  absl::Status SendChunk(size_t first, size_t last, std::vector<bool>& settled, size_t& retry_left);
  void DeadLetter(const Queued& item, const std::string& reason);
  void Settle(std::vector<bool>& settled, size_t i);

  std::string name_ = "elasticsearch";
  BulkSinkConfig config_;
  std::unique_ptr<http::HttpClient> client_;
  std::string target_;  // /_bulk?filter_path=...[&refresh=wait_for]
  size_t max_bytes_;    // batch_max_bytes, halved after a 413 for the rest of the flush

  std::vector<Queued> queue_;
  std::unordered_set<std::string> queued_ids_;
  // Alerts delivered or dead-lettered since the last successful Flush(): skipped when the caller
  // writes them again after a failed one. Forgotten past kMaxSettled (a resend then costs a 409).
  std::unordered_set<std::string> settled_ids_;
  static constexpr size_t kMaxSettled = 100'000;
  // The last Flush() failed: the next Write() starts the caller's resend of what is unconfirmed,
  // so the queue is rebuilt from those writes.
  bool resend_ = false;

  std::atomic<uint64_t> sent_{0}, conflicts_{0}, dead_lettered_{0}, retried_{0}, requests_{0},
      failed_requests_{0};
};

}  // namespace tripline::correlator
