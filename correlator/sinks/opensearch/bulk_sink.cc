#include "correlator/sinks/opensearch/bulk_sink.h"

#include <spdlog/spdlog.h>

#include "correlator/sinks/opensearch/bulk_protocol.h"

namespace tripline::correlator {
namespace {

std::string Excerpt(const std::string& body) {
  std::string s = body.substr(0, 300);
  for (char& ch : s) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BulkSink>> BulkSink::Create(const BulkSinkConfig& config) {
  http::HttpClientOptions options;
  options.base_url = config.url;
  options.timeout = config.timeout;
  options.ca_file = config.ca_file;
  options.client_cert_file = config.client_cert_file;
  options.client_key_file = config.client_key_file;
  options.verify = config.tls_verify;
  TRIPLINE_ASSIGN_OR_RETURN(std::string auth, BulkAuthorization(config));
  if (!auth.empty()) options.headers["Authorization"] = std::move(auth);
  TRIPLINE_ASSIGN_OR_RETURN(auto client, http::HttpClient::Create(std::move(options)));
  return std::make_unique<BulkSink>(config, std::move(client));
}

BulkSink::BulkSink(BulkSinkConfig config, std::unique_ptr<http::HttpClient> client)
    : config_(std::move(config)),
      client_(std::move(client)),
      target_(std::string("/_bulk?") + bulk::kFilterPath +
              (config_.refresh ? "&refresh=wait_for" : "")),
      max_bytes_(config_.batch_max_bytes) {}

absl::Status BulkSink::Write(const v1::Alert& alert, const std::string& ecs_json) {
  if (resend_) {
    // The caller starts over with everything unconfirmed: rebuild the queue from what it sends.
    queue_.clear();
    queued_ids_.clear();
    resend_ = false;
  }
  const std::string& id = alert.alert_id();
  if (!id.empty() && (settled_ids_.count(id) > 0 || !queued_ids_.insert(id).second)) {
    return absl::OkStatus();  // in already (or dead-lettered), or queued twice
  }
  Queued q{id, {}};
  bulk::AppendCreate(config_.index, id, ecs_json, &q.lines);
  queue_.push_back(std::move(q));
  return absl::OkStatus();
}

absl::Status BulkSink::Flush(std::chrono::milliseconds timeout) {
  const uint64_t conflicts_before = conflicts_.load();
  std::vector<bool> settled(queue_.size(), false);
  size_t retry_left = 0;
  absl::Status failure = SendQueue(std::chrono::steady_clock::now() + timeout, settled, retry_left);
  // Keep what is not settled, in order, for the next attempt.
  std::vector<Queued> left;
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (!settled[i]) left.push_back(std::move(queue_[i]));
  }
  queue_ = std::move(left);
  if (settled_ids_.size() > kMaxSettled) settled_ids_.clear();
  if (uint64_t n = conflicts_.load() - conflicts_before; n > 0) {
    spdlog::info("sink {}: {} alert(s) were already indexed (409 on a resend, kept once)", name_,
                 n);
  }
  if (failure.ok() && queue_.empty()) {
    queued_ids_.clear();
    settled_ids_.clear();
    resend_ = false;
    return absl::OkStatus();
  }
  resend_ = true;
  if (failure.ok()) {
    failure = absl::UnavailableError(std::to_string(retry_left) +
                                     " alert(s) answered 429/5xx by the cluster; retried");
  }
  return absl::Status(failure.code(), "elasticsearch " + config_.url + ": " +
                                          std::string(failure.message()) + " (" +
                                          std::to_string(queue_.size()) + " alert(s) pending)");
}

absl::Status BulkSink::SendQueue(std::chrono::steady_clock::time_point deadline,
                                 std::vector<bool>& settled, size_t& retry_left) {
  max_bytes_ = config_.batch_max_bytes;
  for (size_t first = 0; first < queue_.size();) {
    if (first > 0 && std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError("flush timed out");
    }
    size_t last = first, bytes = 0;
    while (last < queue_.size() &&
           (last == first || bytes + queue_[last].lines.size() <= max_bytes_)) {
      bytes += queue_[last++].lines.size();
    }
    absl::Status st = SendChunk(first, last, settled, retry_left);
    if (absl::IsResourceExhausted(st)) {  // 413
      if (last - first > 1) {
        max_bytes_ = std::max<size_t>(bytes / 2, 1);
        continue;
      }
      DeadLetter(queue_[first], "413 request entity too large (" + std::to_string(bytes) +
                                    " bytes for this one alert)");
      Settle(settled, first);
      st = absl::OkStatus();
    }
    TRIPLINE_RETURN_IF_ERROR(st);
    first = last;
  }
  return absl::OkStatus();
}

absl::Status BulkSink::SendChunk(size_t first, size_t last, std::vector<bool>& settled,
                                 size_t& retry_left) {
  std::string body;
  for (size_t i = first; i < last; ++i) body += queue_[i].lines;
  ++requests_;
  auto response =
      client_->Request("POST", target_, body, {{"Content-Type", "application/x-ndjson"}});
  if (!response.ok()) {
    ++failed_requests_;
    return response.status();
  }
  const int status = response->status;
  if (status == 413) return absl::ResourceExhaustedError("413");
  if (status < 200 || status >= 300) {
    ++failed_requests_;
    std::string what =
        "_bulk answered HTTP " + std::to_string(status) + ": " + Excerpt(response->body);
    // 429 (rejected execution, indexing pressure) and 5xx pass; 401/403/404 need the operator,
    // and until then the alerts wait (nothing is dropped for a configuration error).
    if (status == 429 || status >= 500) return absl::UnavailableError(what);
    if (status == 401 || status == 403) return absl::PermissionDeniedError(what);
    return absl::FailedPreconditionError(what);
  }
  auto items = bulk::ParseResponse(response->body, last - first);
  if (!items.ok()) {
    ++failed_requests_;
    return items.status();
  }
  for (size_t i = first; i < last; ++i) {
    const bulk::ItemResult& r = (*items)[i - first];
    switch (bulk::Classify(r.status)) {
      case bulk::ItemOutcome::kIndexed:
        ++sent_;
        Settle(settled, i);
        break;
      case bulk::ItemOutcome::kConflict:
        ++conflicts_;
        Settle(settled, i);
        break;
      case bulk::ItemOutcome::kRetry:
        ++retried_;
        ++retry_left;
        break;
      case bulk::ItemOutcome::kDeadLetter:
        DeadLetter(queue_[i],
                   std::to_string(r.status) + " " + r.error_type + ": " + r.error_reason);
        Settle(settled, i);
        break;
    }
  }
  return absl::OkStatus();
}

void BulkSink::Settle(std::vector<bool>& settled, size_t i) {
  settled[i] = true;
  if (!queue_[i].id.empty()) settled_ids_.insert(queue_[i].id);
}

// Counted always; logged for the first ones and then sampled, so a mapping that rejects every
// alert does not flood the log.
void BulkSink::DeadLetter(const Queued& item, const std::string& reason) {
  uint64_t n = ++dead_lettered_;
  if (n <= 20 || n % 1000 == 0) {
    spdlog::error("sink {}: alert {} dead-lettered (not retried): {} ({} dead-lettered so far)",
                  name_, item.id, reason, n);
  }
}

AlertSink::Counters BulkSink::ReceiverCounters() const {
  BulkSinkCounters c = counters();
  return {{"created", c.sent},         {"conflicts", c.conflicts}, {"dead_lettered", c.dead_lettered},
          {"retried", c.retried},       {"requests", c.requests},   {"failed_requests", c.failed_requests}};
}

BulkSinkCounters BulkSink::counters() const {
  BulkSinkCounters c;
  c.sent = sent_.load();
  c.conflicts = conflicts_.load();
  c.dead_lettered = dead_lettered_.load();
  c.retried = retried_.load();
  c.requests = requests_.load();
  c.failed_requests = failed_requests_.load();
  return c;
}

}  // namespace tripline::correlator
