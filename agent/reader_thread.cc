#include "agent/reader_thread.h"

#ifndef _WIN32
#include <pthread.h>
#endif

#include <spdlog/spdlog.h>

namespace tripline::agent {
namespace {

constexpr size_t kPollBudgetBytes = 1 << 20;  // input read from one source per poll, at most
constexpr size_t kPostAtBytes = 256 << 10;    // an open batch this large is posted at once

}  // namespace

ReaderThread::ReaderThread(std::vector<std::unique_ptr<Source>>* sources,
                           std::mutex* sources_mu, platform::Wakeup* posted,
                           std::chrono::milliseconds poll_interval, size_t max_queued_bytes)
    : sources_(sources), sources_mu_(sources_mu), posted_(posted), poll_interval_(poll_interval),
      max_queued_bytes_(max_queued_bytes) {}

ReaderThread::~ReaderThread() { Stop(); }

void ReaderThread::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReaderThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReaderThread::Take(std::deque<RecordBatch>* out) {
  std::lock_guard lock(mu_);
  for (auto& b : inbox_) out->push_back(std::move(b));
  inbox_.clear();
}

void ReaderThread::Release(const RecordBatch& batch) {
  size_t left = queued_bytes_.fetch_sub(batch.bytes.size(), std::memory_order_relaxed) -
                batch.bytes.size();
  if (left < max_queued_bytes_ / 2) {
    std::lock_guard lock(mu_);  // so that the reader cannot miss it between check and wait
    cv_.notify_one();
  }
}

absl::Status ReaderThread::Emit(uint32_t source, const v1::Event& event) {
  if (queued_bytes_.load(std::memory_order_relaxed) + open_.bytes.size() >= max_queued_bytes_) {
    return absl::ResourceExhaustedError("the spool is behind");
  }
  const std::string& key = event.host().id();
  size_t key_offset = open_.bytes.size();
  open_.bytes.append(key);
  size_t value_offset = open_.bytes.size();
  if (!event.AppendToString(&open_.bytes)) {
    open_.bytes.resize(key_offset);
    return absl::InternalError("cannot serialize event " + event.event_id());
  }
  open_.items.push_back(RecordBatch::Item{
      source, static_cast<uint32_t>(key_offset), static_cast<uint32_t>(key.size()),
      static_cast<uint32_t>(value_offset),
      static_cast<uint32_t>(open_.bytes.size() - value_offset)});
  if (open_.bytes.size() >= kPostAtBytes) Post();
  return absl::OkStatus();
}

void ReaderThread::Post() {
  if (open_.items.empty()) return;
  size_t size = open_.bytes.size();
  {
    std::lock_guard lock(mu_);
    queued_bytes_.fetch_add(size, std::memory_order_relaxed);
    inbox_.push_back(std::move(open_));
  }
  open_ = RecordBatch{};
  open_.bytes.reserve(kPostAtBytes + (64 << 10));
  posted_->Signal();
}

size_t ReaderThread::PollOne(size_t i, bool* refused) {
  std::lock_guard lock(*sources_mu_);
  if (i >= sources_->size()) return 0;  // rebuilt with fewer sources meanwhile
  Source& source = *(*sources_)[i];
  auto emit = [this, i](const v1::Event& event) {
    return Emit(static_cast<uint32_t>(i), event);
  };
  absl::StatusOr<size_t> n = source.Poll(kPollBudgetBytes, emit);
  Post();  // before the lock goes: the main loop, holding it, sees every record emitted
  if (n.ok()) return *n;
  if (absl::IsResourceExhausted(n.status())) {
    *refused = true;
  } else {
    spdlog::error("source {}: {}", source.name(), n.status().ToString());
  }
  return 0;
}

void ReaderThread::Run() {
#ifndef _WIN32
  pthread_setname_np(pthread_self(), "tl-read");
#endif
  open_.bytes.reserve(kPostAtBytes + (64 << 10));
  while (true) {
    size_t read = 0;
    bool refused = false;
    for (size_t i = 0;; ++i) {
      {
        std::lock_guard lock(mu_);
        if (stop_) return;
      }
      {
        std::lock_guard lock(*sources_mu_);
        if (i >= sources_->size()) break;
      }
      read += PollOne(i, &refused);
      if (refused) break;  // the queue is full: no source may read on
    }
    std::unique_lock lock(mu_);
    if (refused) {
      queue_full_.fetch_add(1, std::memory_order_relaxed);
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] {
        return stop_ || queued_bytes_.load(std::memory_order_relaxed) < max_queued_bytes_ / 2;
      });
    } else if (read == 0) {
      cv_.wait_for(lock, poll_interval_, [this] { return stop_; });
    }
  }
}

}  // namespace tripline::agent
