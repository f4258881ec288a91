#include "agent/ship/shipping_thread.h"

#ifndef _WIN32
#include <pthread.h>
#endif

#include <spdlog/spdlog.h>

namespace tripline::agent {
namespace {

constexpr size_t kPostAtBytes = 256 << 10;  // an open batch this large is handed over at once

}  // namespace

absl::StatusOr<std::unique_ptr<ShippingThread>> ShippingThread::Start(
    kafka::KafkaSettings settings, std::string topic, platform::Wakeup* reports,
    size_t max_queued_bytes) {
  std::unique_ptr<ShippingThread> t(
      new ShippingThread(std::move(settings), std::move(topic), reports, max_queued_bytes));
  TRIPLINE_RETURN_IF_ERROR(t->wakeup_.Open());
  TRIPLINE_RETURN_IF_ERROR(t->CreateProducer());  // a bad property fails the start
  t->thread_ = std::thread([p = t.get()] { p->Run(); });
  return t;
}

ShippingThread::ShippingThread(kafka::KafkaSettings settings, std::string topic,
                               platform::Wakeup* reports, size_t max_queued_bytes)
    : settings_(std::move(settings)), topic_(std::move(topic)), reports_(reports),
      max_queued_bytes_(max_queued_bytes) {}

ShippingThread::~ShippingThread() {
  {
    std::lock_guard lock(in_mu_);
    stop_ = true;
  }
  wakeup_.Signal();
  if (thread_.joinable()) thread_.join();
  shipper_.reset();
}

absl::Status ShippingThread::CreateProducer() {
  shipper_.reset();
  TRIPLINE_ASSIGN_OR_RETURN(shipper_, KafkaShipper::Create(settings_, topic_));
  shipper_->NotifyDeliveries(&wakeup_);
  return absl::OkStatus();
}

// --- main loop side ---------------------------------------------------------------------------

bool ShippingThread::Offer(uint64_t seq, std::string_view key, std::string_view value) {
  if (open_.bytes.size() >= kPostAtBytes) Post();
  if (Full()) return false;
  Item item{seq, static_cast<uint32_t>(open_.bytes.size()), static_cast<uint32_t>(key.size()),
            static_cast<uint32_t>(open_.bytes.size() + key.size()),
            static_cast<uint32_t>(value.size())};
  open_.bytes.append(key);
  open_.bytes.append(value);
  open_.items.push_back(item);
  return true;
}

void ShippingThread::Post() {
  if (open_.items.empty()) return;
  open_.generation = generation_;
  size_t size = open_.bytes.size();
  {
    std::lock_guard lock(in_mu_);
    inbox_.push_back(std::move(open_));
    queued_bytes_.fetch_add(size, std::memory_order_relaxed);
  }
  open_ = Batch{};
  open_.bytes.reserve(kPostAtBytes + (64 << 10));
  wakeup_.Signal();
}

bool ShippingThread::Collect(std::vector<uint64_t>* delivered) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(out_mu_);
    delivered->insert(delivered->end(), delivered_out_.begin(), delivered_out_.end());
    delivered_out_.clear();
    counters_ = counters_out_;
    generation = generation_out_;
  }
  if (generation == generation_) return false;
  generation_ = generation;
  open_ = Batch{};  // taken under the old producer: offered again after the rewind
  return true;
}

// --- shipping thread --------------------------------------------------------------------------

void ShippingThread::Run() {
#ifndef _WIN32
  pthread_setname_np(pthread_self(), "tl-ship");
#endif
  bool stop = false;
  while (!stop) {
    {
      std::lock_guard lock(in_mu_);
      stop = stop_;
      for (auto& b : inbox_) local_.push_back(std::move(b));
      inbox_.clear();
    }
    bool all_produced = ProduceLocal();
    shipper_->Poll(std::chrono::milliseconds(0), &delivered_local_);
    if (!shipper_->FatalError().ok()) Recover();
    {
      std::lock_guard lock(out_mu_);
      delivered_out_.insert(delivered_out_.end(), delivered_local_.begin(),
                            delivered_local_.end());
      counters_out_ = shipper_->counters();
      generation_out_ = generation_local_;
    }
    if (!delivered_local_.empty()) reports_->Signal();
    delivered_local_.clear();
    if (!stop) WaitForWork(all_produced);
  }
}

bool ShippingThread::ProduceLocal() {
  while (!local_.empty()) {
    Batch& b = local_.front();
    if (b.generation == generation_local_) {
      for (; b.next < b.items.size(); ++b.next) {
        const Item& it = b.items[b.next];
        std::string_view bytes(b.bytes);
        absl::Status st = shipper_->Produce(bytes.substr(it.key_offset, it.key_size),
                                            bytes.substr(it.value_offset, it.value_size), it.seq);
        if (absl::IsResourceExhausted(st)) return false;  // librdkafka's queue is full
        if (absl::IsInvalidArgument(st)) {
          // Never sendable: counted (rejected, and by error class) and let go, so that one
          // record cannot stop the host's stream.
          spdlog::error("record {} dropped: {}", it.seq, std::string(st.message()));
          delivered_local_.push_back(it.seq);
          continue;
        }
        if (!st.ok()) {
          if (produce_errors_++ % 1000 == 0) spdlog::error("{} (retrying)", st.ToString());
          return false;  // offered again at the next round
        }
      }
    }  // else: handed over before the producer was recreated; the spool offers it again
    queued_bytes_.fetch_sub(b.bytes.size(), std::memory_order_relaxed);
    local_.pop_front();
  }
  return true;
}

// A fatal idempotent-producer error leaves librdkafka unable to send: a new producer, and every
// record not yet delivered offered again by the main loop (duplicates keep their event_id).
void ShippingThread::Recover() {
  spdlog::error("{}; recreating the producer and re-sending from the spool",
                shipper_->FatalError().ToString());
  KafkaShipper::Counters carried = shipper_->counters();
  while (true) {
    absl::Status st = CreateProducer();
    if (st.ok()) break;
    spdlog::error("recreating the producer: {}", st.ToString());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  shipper_->CarryCounters(carried);
  ++generation_local_;
  size_t dropped = 0;
  for (const Batch& b : local_) dropped += b.bytes.size();
  local_.clear();
  queued_bytes_.fetch_sub(dropped, std::memory_order_relaxed);
}

// Sleeps until the main loop posts, librdkafka has reports, or (with records waiting for room in
// librdkafka's queue) a short retry interval passes. Idle, the timeout only bounds how late a
// stop or a librdkafka timer is served.
void ShippingThread::WaitForWork(bool idle) {
  int timeout_ms = idle ? (shipper_->in_flight() > 0 ? 100 : 1000) : 5;
  wakeup_.Wait(std::chrono::milliseconds(timeout_ms));
}

}  // namespace tripline::agent
