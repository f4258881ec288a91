#pragma once

#include <mutex>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/http/http_client.h"
#include "correlator/sinks/sink.h"
#include "correlator/sinks/splunk_hec/hec_envelope.h"
#include "correlator/sinks/splunk_hec/splunk_hec_config.h"

namespace tripline::correlator {

// What the sink did since it was created (for logs and metrics).
struct SplunkHecCounters {
  uint64_t requests = 0;        // event POSTs the receiver accepted (HTTP 200)
  uint64_t sent = 0;            // alerts in those requests
  uint64_t acked_requests = 0;  // requests whose ackId was reported true (ack on)
  uint64_t acked = 0;           // alerts in them
  uint64_t ack_timeouts = 0;    // requests resent because their ack did not come in time
  uint64_t resent = 0;          // alerts sent again (ack timeout, lost ack state)
  uint64_t dead_lettered = 0;   // alerts the receiver rejected as bad data (logged, not resent)
  uint64_t abandoned = 0;       // alerts of a batch the dispatcher gave up on (on_failure: drop)
};

// Sends alerts to a Splunk HTTP Event Collector: POST /services/collector/event, a body of
// concatenated envelopes (hec_envelope.h) cut at batch_max_bytes, `Authorization: Splunk <token>`.
//
// Delivery (at-least-once; the AlertSink contract):
//  * Write() renders and buffers. Alerts written since the last successful Flush() form a round;
//    an alert id already in the round is not taken again, because the dispatcher retries by
//    writing the whole batch again and what the receiver accepted must not be resent.
//  * Flush() sends the round's unsent alerts and returns OK only when every one is accepted (and,
//    with ack on, acknowledged). 429/5xx/transport errors return kUnavailable; 401/403 return
//    kPermissionDenied naming the token problem; the alerts stay for the next attempt.
//  * A 400 with "invalid-event-number": N (Splunk stops at the first bad event): events before N
//    are in, N is dead-lettered (counted, logged with its alert id), N+1.. are sent again.
//  * With ack on: one channel GUID per sink in X-Splunk-Request-Channel; each accepted request's
//    ackId is polled on /services/collector/ack until true; after ack_timeout the request is sent
//    again. A transport error, or an ackId not above the ones still pending (the receiver
//    restarted and numbers from 0 again), makes every pending request count as lost: resent.
//
// Thread: the dispatcher's thread only (like every sink). Owns its HTTP client.
class SplunkHecSink final : public AlertSink {
 public:
  // Time, injected so tests run without sleeping.
  struct Clock {
    std::function<std::chrono::steady_clock::time_point()> now;
    std::function<void(std::chrono::milliseconds)> sleep;
  };
  static Clock SystemClock();

  static absl::StatusOr<std::unique_ptr<SplunkHecSink>> Create(const SplunkHecConfig& config);
  // With a given client (tests: a fake receiver) and clock.
  static std::unique_ptr<SplunkHecSink> CreateWith(const SplunkHecConfig& config,
                                                   std::unique_ptr<http::HttpClient> client,
                                                   Clock clock);
  // Logs the counters (the correlator stops by destroying its sinks).
  ~SplunkHecSink() override;

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

  const SplunkHecCounters& counters() const { return counters_; }  // the sink's own thread
  Counters ReceiverCounters() const override;  // any thread: the snapshot of the last call
  const std::string& channel() const { return channel_; }

 private:
  enum class State { kUnsent, kAwaitingAck, kDone };
  struct Entry {
    std::string alert_id;
    std::string envelope;
    State state = State::kUnsent;
  };
  struct Pending {  // an accepted request whose ack has not come yet
    uint64_t ack_id;
    std::vector<size_t> entries;  // indexes into round_
    std::chrono::steady_clock::time_point sent;
  };

  SplunkHecSink(const SplunkHecConfig& config, std::unique_ptr<http::HttpClient> client,
                Clock clock);

  absl::Status FlushRound(std::chrono::milliseconds timeout);
  absl::Status SendUnsent();
  absl::Status Send(const std::vector<size_t>& batch);
  absl::Status Accepted(const std::vector<size_t>& batch, std::optional<uint64_t> ack_id);
  absl::Status HandleRejected(const std::vector<size_t>& batch, const http::HttpResponse& resp);
  absl::Status PollAcks();
  void Requeue(const Pending& p, const char* why);
  void RequeueAllPending(const char* why);
  void ClearRound();
  std::map<std::string, std::string> RequestHeaders() const;

  std::string name_ = "splunk_hec";
  SplunkHecConfig config_;
  HecMetadata meta_;
  std::unique_ptr<http::HttpClient> client_;
  Clock clock_;
  std::string channel_;  // with ack on

  std::vector<Entry> round_;
  std::unordered_set<std::string> round_ids_;
  std::vector<Pending> pending_;
  bool last_flush_failed_ = false;
  bool retry_checked_ = true;  // the first Write after a failed Flush was looked at
  bool isolate_ = false;  // a batch was refused without naming the bad event: one per request
  bool ack_missing_logged_ = false;
  SplunkHecCounters counters_;
  // counters_ as of the end of the last Write()/Flush(), for readers on other threads.
  void Publish();
  mutable std::mutex published_mu_;
  SplunkHecCounters published_;
};

}  // namespace tripline::correlator
