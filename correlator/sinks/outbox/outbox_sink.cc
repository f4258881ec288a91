#include "correlator/sinks/outbox/outbox_sink.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace tripline::correlator {
namespace {

// One owner per folder: an exclusive lock held as long as the file descriptor stays open.
int TryLock(const std::string& dir) {
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string OutboxSink::Encode(const v1::Alert& alert, const std::string& ecs_json) {
  std::string proto = alert.SerializeAsString();
  std::string out(4, '\0');
  auto n = static_cast<uint32_t>(proto.size());
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  out += proto;
  out += ecs_json;
  return out;
}

bool OutboxSink::Decode(const std::string& value, v1::Alert* alert, std::string* ecs_json) {
  if (value.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(value[static_cast<size_t>(i)])) << (8 * i);
  if (value.size() - 4 < n) return false;
  if (!alert->ParseFromArray(value.data() + 4, static_cast<int>(n))) return false;
  ecs_json->assign(value, 4 + n);
  return true;
}

OutboxSink::OutboxSink(std::unique_ptr<AlertSink> inner, const OutboxConfig& config)
    : inner_(std::move(inner)), config_(config) {}

absl::StatusOr<std::unique_ptr<OutboxSink>> OutboxSink::Open(std::unique_ptr<AlertSink> inner,
                                                             const OutboxConfig& config) {
  std::unique_ptr<OutboxSink> sink(new OutboxSink(std::move(inner), config));
  for (int n = 1; n <= 16 && sink->lock_fd_ < 0; ++n) {
    std::string dir = config.dir + "/" + sink->name() + (n == 1 ? "" : "." + std::to_string(n));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError("outbox " + dir + ": " + ec.message());
    sink->lock_fd_ = TryLock(dir);
    if (sink->lock_fd_ >= 0) sink->dir_ = dir;
  }
  if (sink->lock_fd_ < 0) {
    return absl::UnavailableError("outbox " + config.dir + "/" + sink->name() +
                                  ": every folder is locked by another correlator");
  }
  spool::SpoolConfig sc;
  sc.dir = sink->dir_;
  sc.max_bytes = config.max_bytes;
  sc.segment_bytes = std::max<uint64_t>(4096, std::min<uint64_t>(config.max_bytes / 8, 16ull << 20));
  sc.full_policy = config.full_policy;
  TRIPLINE_ASSIGN_OR_RETURN(sink->spool_, spool::Spool::Open(sc));
  if (uint64_t left = sink->spool_->unacked(); left > 0) {
    spdlog::info("sink {}: {} undelivered alert(s) from an earlier run in {}", sink->name(), left,
                 sink->dir_);
  }
  sink->thread_ = std::thread([s = sink.get()] { s->Run(); });
  return sink;
}

OutboxSink::~OutboxSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (spool_) {
    if (absl::Status st = spool_->Sync(); !st.ok()) {
      spdlog::error("sink {}: outbox sync at stop: {}", name(), st.ToString());
    }
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

absl::Status OutboxSink::Write(const v1::Alert& alert, const std::string& ecs_json) {
  std::lock_guard lock(mu_);
  auto seq = spool_->Append(alert.alert_id(), Encode(alert, ecs_json));
  if (!seq.ok()) {
    return absl::ResourceExhaustedError("outbox " + dir_ + " full (" +
                                        std::to_string(spool_->bytes()) + " bytes, " +
                                        std::to_string(spool_->unacked()) +
                                        " undelivered alerts): " + seq.status().ToString());
  }
  return absl::OkStatus();
}

absl::Status OutboxSink::Flush(std::chrono::milliseconds /*timeout*/) {
  absl::Status st;
  {
    std::lock_guard lock(mu_);
    st = spool_->Sync();
  }
  wake_.notify_all();
  return st;
}

OutboxStats OutboxSink::stats() const {
  std::lock_guard lock(mu_);
  OutboxStats s = stats_;
  s.dropped = spool_->counters().dropped;
  s.pending = spool_->unacked();
  s.bytes = spool_->bytes();
  if (int64_t t = spool_->oldest_unacked_time_us(); t > 0) {
    s.oldest_age_seconds = static_cast<double>(NowMicros() - t) / 1e6;
  }
  return s;
}

absl::Status OutboxSink::Deliver(const std::vector<spool::SpoolRecord>& batch) {
  v1::Alert alert;
  std::string json;
  for (const auto& r : batch) {
    if (!Decode(r.value, &alert, &json)) {
      // The spool's CRC passed, so this is not disk damage: a record from an incompatible
      // version. Skipping it is the only way forward; it is logged with its id.
      spdlog::error("sink {}: outbox record {} (alert {}) cannot be decoded; skipped", name(),
                    r.seq, r.key);
      continue;
    }
    TRIPLINE_RETURN_IF_ERROR(inner_->Write(alert, json));
  }
  return inner_->Flush(config_.flush_timeout);
}

void OutboxSink::Run() {
  auto backoff = config_.backoff;
  std::chrono::steady_clock::time_point stop_deadline{};
  std::vector<spool::SpoolRecord> batch;
  std::chrono::steady_clock::time_point last_log{};
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_ && stop_deadline == std::chrono::steady_clock::time_point{}) {
      stop_deadline = std::chrono::steady_clock::now() + config_.drain_on_stop;
    }
    batch.clear();
    while (batch.size() < config_.max_batch) {
      const spool::SpoolRecord* r = spool_->Peek();
      if (r == nullptr) break;
      batch.push_back(*r);
      spool_->Advance();
    }
    if (batch.empty()) {
      if (stopping_) return;
      wake_.wait_for(lock, std::chrono::milliseconds(500));
      continue;
    }
    lock.unlock();
    absl::Status st = Deliver(batch);
    lock.lock();
    if (st.ok()) {
      for (const auto& r : batch) spool_->Ack(r.seq);
      if (absl::Status sync = spool_->Sync(); !sync.ok()) {
        spdlog::error("sink {}: outbox: {}", name(), sync.ToString());
      }
      stats_.delivered += batch.size();
      if (stats_.failing) {
        spdlog::info("sink {}: delivering again after {} failed attempt(s)", name(), stats_.failures);
        last_log = {};
      }
      stats_.failing = false;
      backoff = config_.backoff;
      if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline) return;
      continue;
    }
    ++stats_.failures;
    stats_.failing = true;
    spool_->Rewind();
    // A receiver down for an hour must not flood the log: the first failure, then one a minute.
    auto now = std::chrono::steady_clock::now();
    if (now - last_log >= std::chrono::minutes(1)) {
      last_log = now;
      spdlog::error("sink {}: {}; {} alert(s) held in {}, retrying (attempt {}, next in {} ms)",
                    name(), st.ToString(), spool_->unacked(), dir_, stats_.failures,
                    backoff.count());
    }
    if (stopping_) return;  // what is left stays on disk for the next start
    wake_.wait_for(lock, backoff, [this] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, config_.max_backoff);
  }
}

}  // namespace tripline::correlator
