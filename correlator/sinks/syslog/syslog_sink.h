#pragma once

#include <atomic>

#include <memory>
#include <string>

#include "correlator/sinks/sink.h"
#include "correlator/sinks/syslog/syslog_config.h"
#include "correlator/sinks/syslog/syslog_connection.h"
#include "correlator/sinks/syslog/syslog_message.h"

namespace tripline::correlator {

// Sends each alert as one RFC 5424 syslog message carrying CEF or LEEF, over TCP or TLS with
// octet-counting framing (RFC 6587 / RFC 5425), to an rsyslog, syslog-ng, ArcSight or QRadar
// receiver.
//
// Delivery: Write() only renders and buffers. Flush() writes the whole batch, then waits until
// the kernel's send queue is empty (the receiver's TCP acknowledged every byte) and the
// connection is still established: OK means the receiver's host holds the batch. Plain syslog
// has no application acknowledgement, so that is the strongest confirmation available; a
// receiver that dies before storing acknowledged bytes loses them (README: what is and is not
// guaranteed). A failed or timed-out Flush() drops the connection and the buffered batch; the
// dispatcher then writes the batch again (at-least-once). The first flush on a new connection
// after a lost one first resends the last confirmed batch (up to 4 MiB): a receiver that was
// stopped may have held it acknowledged but unread. Receivers see duplicates there, never gaps;
// the alert id (CEF externalId / cs1, LEEF alertId) identifies them. The counters below are
// logged at each reconnect and when the sink is destroyed.
//
// Thread: one thread at a time (the dispatcher's, or the outbox thread that wraps it).
class SyslogSink final : public AlertSink {
 public:
  // Fails only on a TLS setup problem (unreadable CA, certificate or key); the receiver need not
  // be up (the first Flush() connects). `version` goes into the CEF/LEEF header (empty: this
  // build's version).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SyslogSink>> Create(
      const SyslogSinkConfig& config, std::string version = "");
  ~SyslogSink() override;

  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;

  // The frame Write() appends for `alert` (octet count, space, RFC 5424 message).
  std::string Frame(const v1::Alert& alert) const;

  uint64_t sent() const { return sent_.load(); }              // alerts confirmed by Flush()
  uint64_t reconnects() const { return reconnects_.load(); }  // connections opened after the first
  uint64_t resent() const { return resent_.load(); }  // confirmed alerts sent again on reconnect
  Counters ReceiverCounters() const override {
    return {{"sent", sent()}, {"reconnects", reconnects()}, {"resent", resent()}};
  }

 private:
  SyslogSink(const SyslogSinkConfig& config, std::string version);
  absl::Status Deliver(SyslogConnection::Clock::time_point deadline);

  std::string name_ = "syslog";
  SyslogSinkConfig config_;
  std::string version_;
  SyslogHeader header_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // transport: tls
  std::unique_ptr<SyslogConnection> connection_;
  bool connected_before_ = false;
  std::string pending_;  // frames written since the last Flush()
  size_t pending_count_ = 0;
  std::string last_batch_;  // frames of the last confirmed Flush(), for a resend on reconnect
  size_t last_batch_count_ = 0;
  std::atomic<uint64_t> sent_{0};  // atomics: ReceiverCounters() is read from another thread
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> resent_{0};
};

}  // namespace tripline::correlator
