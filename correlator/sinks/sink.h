#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// Somewhere alerts go (a JSON lines file, the alerts topic; later Splunk HEC, _bulk, syslog).
//
// Thread: called only from the correlator's dispatch thread. Write() may buffer; Flush() returns
// OK only when everything written so far is durable at the receiver, because the correlator
// commits the Kafka offsets behind an alert only after that (at-least-once).
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual const std::string& name() const = 0;
  // `ecs_json` is the alert's ECS document (one line), rendered once for every sink.
  [[nodiscard]] virtual absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) = 0;
  [[nodiscard]] virtual absl::Status Flush(std::chrono::milliseconds timeout) = 0;
  // A local file (JSON lines, stdout) needs no outbox; a receiver across the network gets one
  // (OutboxSink) unless outputs.outbox.enabled is false.
  virtual bool local() const { return false; }
  // What the sink counted at its receiver beyond the alerts it took ("acked", "dead_lettered",
  // ...), as running totals for /metrics. Any thread: the sink may meanwhile be working on its
  // outbox's thread, so implementations answer from atomics or a snapshot under their own lock.
  using Counters = std::vector<std::pair<std::string, uint64_t>>;
  virtual Counters ReceiverCounters() const { return {}; }
};

}  // namespace tripline::correlator
