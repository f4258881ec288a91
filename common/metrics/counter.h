#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace tripline::metrics {

// The single-atomic instruments: Counter and Gauge.
//
// Ownership: a Registry creates and owns every instrument (one object per label set) and hands
// the component a pointer once, at start-up. The pointer stays valid for the Registry's lifetime;
// the component keeps it and never looks the metric up again.
//
// Threads: every method is lock-free and may be called from any thread at any rate. Updates use
// relaxed ordering: a scrape sees each value eventually, with no ordering against other memory.
// Each instrument sits on its own cache line so that two hot counters never share one.

// A monotonically increasing count (Prometheus `counter`, rendered with the `_total` suffix).
class alignas(64) Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds `n` (default 1). A single relaxed atomic add.
  void Inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }

  uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A Counter fed from a running total its owner keeps (the agent's and the correlator's loops copy
// their totals in at each update): the increase since the last copy is added; a total that went
// backwards (its owner was rebuilt and restarts at zero) counts its new value as the increase.
// A plain value owned by the one thread that calls Set(); `counter` may be null (registration
// failed): Set() is then a no-op.
struct TotalCounter {
  Counter* counter = nullptr;
  uint64_t last = 0;

  void Set(uint64_t total) noexcept {
    if (counter == nullptr) return;
    counter->Inc(total >= last ? total - last : total);
    last = total;
  }
};

// A value that goes up and down (Prometheus `gauge`): queue depth, bytes on disk, age.
class alignas(64) Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  // Lock-free compare-and-swap loop (std::atomic<double>::fetch_add, C++20).
  void Add(double d) noexcept { value_.fetch_add(d, std::memory_order_relaxed); }
  void Sub(double d) noexcept { value_.fetch_sub(d, std::memory_order_relaxed); }
  void Inc() noexcept { Add(1.0); }
  void Dec() noexcept { Sub(1.0); }

  double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A gauge whose value is computed when scraped (spool bytes, checkpoint age, queue size owned by
// another thread).
//
// Called on the scrape thread (the MetricsServer thread, or whichever thread calls
// Registry::Render), concurrently with everything else the owner does: the callback must be
// thread-safe, must be quick, must not throw, and must not call back into the Registry (the
// Registry lock is held while it runs). Whatever it captures must outlive the Registry, or at
// least every scrape.
using GaugeFn = std::function<double()>;

}  // namespace tripline::metrics
