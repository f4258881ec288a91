#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "correlator/sinks/sink.h"

namespace tripline::correlator {

// What the dispatcher does when a sink keeps failing.
struct DispatchPolicy {
  // false (the default): retry until the sink takes the alerts, holding back consumption and
  // commits (nothing lost; the topic is the buffer). true: after `max_attempts` failed attempts
  // the sink's share of the batch is dropped and counted, and the others go on.
  bool drop_on_failure = false;
  int max_attempts = 5;
  std::chrono::milliseconds backoff{500};       // doubled per failed attempt ...
  std::chrono::milliseconds max_backoff{30'000};  // ... up to this
  std::chrono::milliseconds flush_timeout{10'000};
};

struct SinkCounters {
  uint64_t written = 0;   // alerts the sink took (flushed)
  uint64_t failures = 0;  // failed attempts (write or flush), each retried or ending in a drop
  uint64_t dropped = 0;   // alerts given up on (drop_on_failure only)
};

// Hands every batch of alerts to every sink: bounded (one batch at a time, so memory is bounded
// by the consumer's batch), each sink retried on its own with backoff, counters per sink.
// Dispatch() returns when every sink holds the batch (or dropped it, by policy): the events behind
// the alerts may then be committed. Thread-compatible: the correlator's loop thread only.
class AlertDispatcher {
 public:
  // `stop` is polled between attempts: when it says so, a blocked dispatch gives up with an
  // error (the batch is not committed and will be read again).
  // `on_failure` (may be empty) is called after each failed attempt, before the backoff: the
  // caller's metrics and health follow a sink that stays down.
  using StopFn = bool (*)();
  AlertDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks, DispatchPolicy policy,
                  StopFn stop, std::function<void()> on_failure = {});

  // `json[i]` is the ECS document of `alerts[i]`. OK when every sink has the alerts or dropped
  // them by policy; an error only when stopping while a sink still fails.
  [[nodiscard]] absl::Status Dispatch(const std::vector<v1::Alert>& alerts,
                                      const std::vector<std::string>& json);

  // Per sink name, for metrics.
  const std::map<std::string, SinkCounters>& counters() const { return counters_; }
  // True while some sink's last attempt failed (health: degraded).
  bool failing() const { return failing_; }
  size_t size() const { return sinks_.size(); }

 private:
  absl::Status Deliver(AlertSink& sink, const std::vector<v1::Alert>& alerts,
                       const std::vector<std::string>& json);

  std::vector<std::unique_ptr<AlertSink>> sinks_;
  DispatchPolicy policy_;
  StopFn stop_;
  std::function<void()> on_failure_;
  std::map<std::string, SinkCounters> counters_;
  bool failing_ = false;
};

}  // namespace tripline::correlator
