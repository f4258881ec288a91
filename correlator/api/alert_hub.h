#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// Fans the correlator's alerts out to live subscribers (gRPC StreamAlerts).
//
// Publish() is called by the correlator's thread once an alert is in every sink; each subscriber
// has a bounded queue of its own: a subscriber that does not keep up loses its oldest undelivered
// alerts, counted (dropped()), and never slows the correlator down. Subscribers wait on their own
// queue from their own thread (a gRPC handler). Alerts cross threads by copy, under the queue's
// lock only.
class AlertHub {
 public:
  class Subscription {
   public:
    // The next alert, or nullopt after `timeout` or once the hub is closed.
    std::optional<v1::Alert> Next(std::chrono::milliseconds timeout);
    uint64_t dropped() const;

   private:
    friend class AlertHub;
    Subscription(v1::Severity min, size_t capacity) : min_(min), capacity_(capacity) {}
    void Push(const v1::Alert& alert);
    void Close();

    const v1::Severity min_;
    const size_t capacity_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<v1::Alert> queue_;
    uint64_t dropped_ = 0;
    bool closed_ = false;
  };

  explicit AlertHub(size_t queue_capacity = 1000) : capacity_(queue_capacity) {}
  ~AlertHub();

  // A new subscriber for alerts at or above `min` (SEVERITY_UNSPECIFIED: all).
  std::shared_ptr<Subscription> Subscribe(v1::Severity min);
  void Unsubscribe(const std::shared_ptr<Subscription>& sub);
  void Publish(const v1::Alert& alert);
  // Wakes every subscriber for good (server shutdown).
  void Close();
  size_t subscribers() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::shared_ptr<Subscription>> subs_;
  bool closed_ = false;
};

}  // namespace tripline::correlator
