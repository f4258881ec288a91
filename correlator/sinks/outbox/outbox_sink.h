#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/spool/spool.h"
#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// outputs.outbox in correlator.yaml: where the alerts of a remote sink wait on disk.
struct OutboxConfig {
  bool enabled = true;
  // Each remote sink gets <dir>/<sink name> (a second correlator on the same host and state_dir
  // takes <sink name>.2, ...: one owner per folder, held by a lock file).
  std::string dir;
  uint64_t max_bytes = 256ull << 20;  // per sink
  spool::SpoolConfig::FullPolicy full_policy = spool::SpoolConfig::FullPolicy::kBlock;
  size_t max_batch = 500;  // alerts handed to the receiver per attempt
  std::chrono::milliseconds backoff{500};        // after a failed attempt, doubled ...
  std::chrono::milliseconds max_backoff{30'000};  // ... up to this
  std::chrono::milliseconds flush_timeout{10'000};
  std::chrono::milliseconds drain_on_stop{3'000};  // how long a stop keeps delivering
};

// What an outbox did, for metrics. Running totals since start, and its state of the moment.
struct OutboxStats {
  uint64_t delivered = 0;  // alerts the receiver took
  uint64_t failures = 0;   // failed delivery attempts (each retried after a backoff)
  uint64_t dropped = 0;    // alerts pushed out unsent by drop_oldest at the quota
  uint64_t pending = 0;    // alerts on disk, not yet delivered
  uint64_t bytes = 0;
  double oldest_age_seconds = 0;
  bool failing = false;  // the last attempt failed
};

// Holds a remote sink's alerts on disk (the common spool: CRC-framed segments, an ack cursor and
// a quota) and delivers them from its own thread, so that a Splunk, OpenSearch or syslog
// receiver that is down neither loses alerts nor stalls the other sinks and the consumer.
//
// Write() appends to the spool; Flush() fsyncs it: after that the alerts survive a crash and the
// events behind them may be committed. At the quota, `block` refuses Write() with
// ResourceExhausted (the dispatcher then holds consumption back: nothing lost, the topic is the
// buffer) and `drop_oldest` pushes the oldest undelivered alerts out, counted. The delivery
// thread hands batches to the wrapped sink (Write... then Flush) and acknowledges them in the
// spool only when Flush() succeeded; a failure is retried with a doubling backoff, from the
// first unacknowledged alert. After a restart the undelivered alerts are sent again (at least
// once, with their alert ids).
//
// Threads: Write()/Flush() on the dispatcher's thread; the wrapped sink is called only on the
// outbox's own thread. The spool is shared between the two under `mu_`.
// Lifecycle: Open() starts the thread; the destructor keeps delivering for drain_on_stop at most,
// then stops and joins it. What is left stays on disk for the next start.
class OutboxSink final : public AlertSink {
 public:
  // Takes the first free <config.dir>/<inner name>[.N] folder (created), recovers what an earlier
  // run left there and starts delivering it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<OutboxSink>> Open(
      std::unique_ptr<AlertSink> inner, const OutboxConfig& config);
  ~OutboxSink() override;

  const std::string& name() const override { return inner_->name(); }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override;
  absl::Status Flush(std::chrono::milliseconds timeout) override;
  Counters ReceiverCounters() const override { return inner_->ReceiverCounters(); }

  OutboxStats stats() const;  // any thread
  const std::string& dir() const { return dir_; }

  // The record format (documented where written): u32 little-endian length of the serialized
  // Alert, the Alert, then the ECS JSON document. The spool record's key is the alert id.
  static std::string Encode(const v1::Alert& alert, const std::string& ecs_json);
  static bool Decode(const std::string& value, v1::Alert* alert, std::string* ecs_json);

 private:
  OutboxSink(std::unique_ptr<AlertSink> inner, const OutboxConfig& config);
  void Run();
  // Hands one batch to the wrapped sink; OK when it took all of them.
  absl::Status Deliver(const std::vector<spool::SpoolRecord>& batch);

  std::unique_ptr<AlertSink> inner_;
  OutboxConfig config_;
  std::string dir_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unique_ptr<spool::Spool> spool_;  // guarded by mu_
  bool stopping_ = false;                // guarded by mu_
  OutboxStats stats_;                    // guarded by mu_ (pending/bytes/age filled in stats())
  std::thread thread_;
};

}  // namespace tripline::correlator
