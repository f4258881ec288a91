#include "correlator/api/alert_hub.h"

#include <algorithm>

namespace tripline::correlator {

std::optional<v1::Alert> AlertHub::Subscription::Next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  v1::Alert alert = std::move(queue_.front());
  queue_.pop_front();
  return alert;
}

uint64_t AlertHub::Subscription::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void AlertHub::Subscription::Push(const v1::Alert& alert) {
  if (min_ != v1::SEVERITY_UNSPECIFIED && alert.severity() < min_) return;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(alert);
  }
  cv_.notify_one();
}

void AlertHub::Subscription::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

AlertHub::~AlertHub() { Close(); }

std::shared_ptr<AlertHub::Subscription> AlertHub::Subscribe(v1::Severity min) {
  std::shared_ptr<Subscription> sub(new Subscription(min, capacity_));
  std::lock_guard lock(mu_);
  if (closed_) {
    sub->Close();
  } else {
    subs_.push_back(sub);
  }
  return sub;
}

void AlertHub::Unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::lock_guard lock(mu_);
  subs_.remove(sub);
}

void AlertHub::Publish(const v1::Alert& alert) {
  std::lock_guard lock(mu_);
  for (const auto& sub : subs_) sub->Push(alert);
}

void AlertHub::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  for (const auto& sub : subs_) sub->Close();
  subs_.clear();
}

size_t AlertHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace tripline::correlator
