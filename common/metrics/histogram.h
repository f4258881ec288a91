#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/status.h"

namespace tripline::metrics {

// A distribution with fixed bucket upper bounds (Prometheus `histogram`): delivery latency,
// batch size, record length.
//
// Ownership and lifecycle: created by Registry::AddHistogram with its bounds fixed for life;
// the Registry owns it and the component keeps the pointer it was handed at start-up.
//
// Threads: Observe() is lock-free and may be called from any thread: one binary search over the
// bounds, then one relaxed add on the bucket and one on the sum. TakeSnapshot() runs on the scrape
// thread; counts in a snapshot are mutually consistent (`_count` is the +Inf bucket), the sum may
// lag by observations still in flight.
class Histogram {
 public:
  // A point-in-time copy, with cumulative counts as the exposition format wants them.
  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then one for +Inf (== count)
    double sum = 0.0;
    uint64_t count = 0;
  };

  // Returns the bounds in canonical form or why they are unusable: non-empty is not required (a
  // histogram with only +Inf is a count and a sum), values must be strictly increasing and not
  // NaN; a trailing +Inf is dropped because the +Inf bucket always exists.
  [[nodiscard]] static absl::StatusOr<std::vector<double>> CheckBounds(std::vector<double> bounds);

  // `bounds` must have passed CheckBounds.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts `v` into the first bucket whose bound is >= v (Prometheus `le` semantics). NaN goes
  // to the +Inf bucket only (and makes the sum NaN, which the scrape shows).
  void Observe(double v) noexcept;

  const std::vector<double>& bounds() const noexcept { return bounds_; }
  Snapshot TakeSnapshot() const;

 private:
  // Each bucket on its own cache line: neighbouring buckets are hit by different threads.
  struct alignas(64) Slot {
    std::atomic<uint64_t> n{0};
  };

  const std::vector<double> bounds_;
  std::unique_ptr<Slot[]> buckets_;  // bounds_.size() + 1 slots, the last is +Inf
  alignas(64) std::atomic<double> sum_{0.0};
};

// Bounds helpers for the common shapes.
// `count` bounds start, start*factor, start*factor^2, ... (start > 0, factor > 1).
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// `count` bounds start, start+width, start+2*width, ... (width > 0).
std::vector<double> LinearBuckets(double start, double width, int count);

}  // namespace tripline::metrics
