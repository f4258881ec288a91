#include "correlator/sinks/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace tripline::correlator {

AlertDispatcher::AlertDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks,
                                 DispatchPolicy policy, StopFn stop,
                                 std::function<void()> on_failure)
    : sinks_(std::move(sinks)), policy_(policy), stop_(stop), on_failure_(std::move(on_failure)) {
  for (const auto& sink : sinks_) counters_[sink->name()];
}

absl::Status AlertDispatcher::Dispatch(const std::vector<v1::Alert>& alerts,
                                       const std::vector<std::string>& json) {
  failing_ = false;
  if (alerts.empty()) return absl::OkStatus();
  for (auto& sink : sinks_) TRIPLINE_RETURN_IF_ERROR(Deliver(*sink, alerts, json));
  return absl::OkStatus();
}

// One attempt writes the whole batch and flushes; a failed attempt starts over with the whole
// batch (a sink's Flush() fails as a unit, and the alerts carry stable ids for receivers that
// deduplicate).
absl::Status AlertDispatcher::Deliver(AlertSink& sink, const std::vector<v1::Alert>& alerts,
                                      const std::vector<std::string>& json) {
  SinkCounters& c = counters_[sink.name()];
  auto backoff = policy_.backoff;
  for (int attempt = 1;; ++attempt) {
    absl::Status st;
    for (size_t i = 0; i < alerts.size() && st.ok(); ++i) st = sink.Write(alerts[i], json[i]);
    if (st.ok()) st = sink.Flush(policy_.flush_timeout);
    if (st.ok()) {
      c.written += alerts.size();
      return absl::OkStatus();
    }
    ++c.failures;
    failing_ = true;
    if (on_failure_) on_failure_();
    if (policy_.drop_on_failure && attempt >= policy_.max_attempts) {
      c.dropped += alerts.size();
      spdlog::error("sink {}: {}; {} alert(s) dropped after {} attempts ({} dropped so far)",
                    sink.name(), st.ToString(), alerts.size(), attempt, c.dropped);
      return absl::OkStatus();
    }
    spdlog::error("sink {}: {}; attempt {} failed, retrying in {} ms", sink.name(), st.ToString(),
                  attempt, backoff.count());
    for (auto slept = std::chrono::milliseconds(0); slept < backoff;
         slept += std::chrono::milliseconds(100)) {
      if (stop_ != nullptr && stop_()) return st;
      std::this_thread::sleep_for(std::min(std::chrono::milliseconds(100), backoff - slept));
    }
    backoff = std::min(backoff * 2, policy_.max_backoff);
  }
}

}  // namespace tripline::correlator
