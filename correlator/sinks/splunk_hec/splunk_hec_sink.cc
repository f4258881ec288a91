#include "correlator/sinks/splunk_hec/splunk_hec_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

namespace tripline::correlator {
namespace {

constexpr const char* kEventPath = "/services/collector/event";
constexpr const char* kAckPath = "/services/collector/ack";
constexpr std::chrono::milliseconds kAckPollInterval{200};

// HEC codes (integration-and-peers.md §1.5) that blame one event's data: that event is
// dead-lettered. Any other refusal (index, channel, ack settings) is a configuration problem and
// the alerts are kept.
bool IsBadEventCode(int code) { return code == 6 || code == 12 || code == 13 || code == 15; }

// The JSON reply HEC gives to every request: {"text":..,"code":N[,"invalid-event-number":N]
// [,"ackId":N]}. Missing or malformed parts stay unset.
struct HecReply {
  int code = -1;
  std::string text;
  std::optional<size_t> invalid_event_number;
  std::optional<uint64_t> ack_id;
};

HecReply ParseReply(const std::string& body) {
  HecReply r;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) {
    r.text = body.substr(0, 200);
    return r;
  }
  if (j.contains("code") && j["code"].is_number_integer()) r.code = j["code"].get<int>();
  if (j.contains("text") && j["text"].is_string()) r.text = j["text"].get<std::string>();
  auto n = j.find("invalid-event-number");
  if (n != j.end() && n->is_number_unsigned()) r.invalid_event_number = n->get<size_t>();
  auto a = j.find("ackId");
  if (a != j.end() && a->is_number_unsigned()) r.ack_id = a->get<uint64_t>();
  return r;
}

std::string Describe(const http::HttpResponse& resp) {
  HecReply r = ParseReply(resp.body);
  std::string out = "HTTP " + std::to_string(resp.status);
  if (r.code >= 0) out += ", code " + std::to_string(r.code);
  if (!r.text.empty()) out += ": " + r.text;
  return out;
}

// A random (version 4) UUID: Splunk requires the channel to be a GUID.
std::string NewChannelGuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

}  // namespace

SplunkHecSink::Clock SplunkHecSink::SystemClock() {
  return {[] { return std::chrono::steady_clock::now(); },
          [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }};
}

absl::StatusOr<std::unique_ptr<SplunkHecSink>> SplunkHecSink::Create(
    const SplunkHecConfig& config) {
  http::HttpClientOptions o;
  o.base_url = config.url;
  o.timeout = config.timeout;
  o.ca_file = config.ca_file;
  o.client_cert_file = config.client_cert_file;
  o.client_key_file = config.client_key_file;
  o.verify = config.tls_verify;
  TRIPLINE_ASSIGN_OR_RETURN(auto client, http::HttpClient::Create(std::move(o)));
  return CreateWith(config, std::move(client), SystemClock());
}

std::unique_ptr<SplunkHecSink> SplunkHecSink::CreateWith(const SplunkHecConfig& config,
                                                         std::unique_ptr<http::HttpClient> client,
                                                         Clock clock) {
  return std::unique_ptr<SplunkHecSink>(
      new SplunkHecSink(config, std::move(client), std::move(clock)));
}

SplunkHecSink::SplunkHecSink(const SplunkHecConfig& config,
                             std::unique_ptr<http::HttpClient> client, Clock clock)
    : config_(config), client_(std::move(client)), clock_(std::move(clock)) {
  meta_ = {config.index, config.sourcetype, config.source, config.host};
  if (config_.ack) channel_ = NewChannelGuid();
  spdlog::info("splunk_hec: sending alerts to {}{} (sourcetype {}, index {}, ack {})",
               config_.url, kEventPath, config_.sourcetype,
               config_.index.empty() ? "token default" : config_.index,
               config_.ack ? "on, channel " + channel_ : std::string("off"));
}

SplunkHecSink::~SplunkHecSink() {
  size_t undelivered = std::count_if(round_.begin(), round_.end(),
                                     [](const Entry& e) { return e.state != State::kDone; });
  const SplunkHecCounters& c = counters_;
  spdlog::info(
      "splunk_hec: {} alert(s) sent in {} request(s); {} alert(s) acknowledged in {} request(s); "
      "{} resent ({} ack timeout(s)); {} dead-lettered; {} abandoned; {} undelivered at stop",
      c.sent, c.requests, c.acked, c.acked_requests, c.resent, c.ack_timeouts, c.dead_lettered,
      c.abandoned, undelivered);
}

absl::Status SplunkHecSink::Write(const v1::Alert& alert, const std::string& ecs_json) {
  if (last_flush_failed_ && !retry_checked_) {
    retry_checked_ = true;
    // The dispatcher retries a failed batch by writing it again from its first alert; a Write of
    // an alert from outside the round means it gave up on that batch (on_failure: drop).
    if (round_ids_.count(alert.alert_id()) == 0) {
      for (const Entry& e : round_) counters_.abandoned += e.state != State::kDone;
      spdlog::warn("splunk_hec: the dispatcher gave up on a batch; {} alert(s) abandoned so far",
                   counters_.abandoned);
      ClearRound();
      Publish();
    }
  }
  if (!round_ids_.insert(alert.alert_id()).second) return absl::OkStatus();
  round_.push_back({alert.alert_id(), RenderHecEnvelope(alert, ecs_json, meta_)});
  return absl::OkStatus();
}

void SplunkHecSink::Publish() {
  std::lock_guard lock(published_mu_);
  published_ = counters_;
}

AlertSink::Counters SplunkHecSink::ReceiverCounters() const {
  std::lock_guard lock(published_mu_);
  const SplunkHecCounters& c = published_;
  return {{"requests", c.requests},   {"sent", c.sent},
          {"acked", c.acked},         {"ack_timeouts", c.ack_timeouts},
          {"resent", c.resent},       {"dead_lettered", c.dead_lettered},
          {"abandoned", c.abandoned}};
}

absl::Status SplunkHecSink::Flush(std::chrono::milliseconds timeout) {
  absl::Status st = FlushRound(timeout);
  Publish();
  return st;
}

absl::Status SplunkHecSink::FlushRound(std::chrono::milliseconds timeout) {
  const auto deadline = clock_.now() + timeout;
  absl::Status st;
  while (true) {
    st = SendUnsent();
    if (st.ok() && !pending_.empty()) st = PollAcks();
    if (!st.ok()) break;
    if (pending_.empty()) {
      ClearRound();
      last_flush_failed_ = false;
      return absl::OkStatus();
    }
    const auto now = clock_.now();
    bool requeued = false;
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->sent < config_.ack_timeout) {
        ++it;
        continue;
      }
      ++counters_.ack_timeouts;
      Requeue(*it, "no acknowledgement within ack_timeout_ms");
      it = pending_.erase(it);
      requeued = true;
    }
    if (requeued) continue;
    if (now >= deadline) {
      size_t alerts = 0;
      for (const Pending& p : pending_) alerts += p.entries.size();
      st = absl::UnavailableError("splunk_hec: " + std::to_string(alerts) + " alert(s) in " +
                                  std::to_string(pending_.size()) +
                                  " request(s) not yet acknowledged by the indexer");
      break;
    }
    clock_.sleep(std::min(kAckPollInterval,
                          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
  }
  last_flush_failed_ = true;
  retry_checked_ = false;
  return st;
}

absl::Status SplunkHecSink::SendUnsent() {
  while (true) {
    std::vector<size_t> unsent, sizes;
    for (size_t i = 0; i < round_.size(); ++i) {
      if (round_[i].state != State::kUnsent) continue;
      unsent.push_back(i);
      sizes.push_back(round_[i].envelope.size());
    }
    if (unsent.empty()) return absl::OkStatus();
    size_t max_bytes = isolate_ ? 0 : config_.batch_max_bytes;
    std::vector<size_t> runs = SplitIntoBatches(sizes, max_bytes);
    unsent.resize(runs.front());
    TRIPLINE_RETURN_IF_ERROR(Send(unsent));
  }
}

absl::Status SplunkHecSink::Send(const std::vector<size_t>& batch) {
  std::string body;
  for (size_t i : batch) {
    if (!body.empty()) body += '\n';
    body += round_[i].envelope;
  }
  auto resp = client_->Request("POST", kEventPath, body, RequestHeaders());
  if (!resp.ok()) {
    // The receiver may have restarted: acks it owed may never come.
    RequeueAllPending("the connection to the receiver failed");
    return absl::UnavailableError("splunk_hec: " + std::string(resp.status().message()));
  }
  if (resp->status == 200) return Accepted(batch, ParseReply(resp->body).ack_id);
  if (resp->status == 400) return HandleRejected(batch, *resp);
  if (resp->status == 401 || resp->status == 403) {
    return absl::PermissionDeniedError("splunk_hec: the receiver refused the HEC token from " +
                                       config_.token_from + " (" + Describe(*resp) +
                                       "); the alerts are kept and retried");
  }
  if (resp->status == 413) {
    return absl::FailedPreconditionError("splunk_hec: request of " + std::to_string(body.size()) +
                                         " bytes too large (" + Describe(*resp) +
                                         "); lower batch_max_bytes");
  }
  return absl::UnavailableError("splunk_hec: " + Describe(*resp));
}

absl::Status SplunkHecSink::Accepted(const std::vector<size_t>& batch,
                                     std::optional<uint64_t> ack_id) {
  ++counters_.requests;
  counters_.sent += batch.size();
  if (!config_.ack || !ack_id) {
    if (config_.ack && !ack_missing_logged_) {
      ack_missing_logged_ = true;
      spdlog::error("splunk_hec: ack is on but the receiver returned no ackId (indexer "
                    "acknowledgement is off for this token?): accepted requests count as delivered");
    }
    for (size_t i : batch) round_[i].state = State::kDone;
    return absl::OkStatus();
  }
  const uint64_t id = *ack_id;
  // ackIds of a channel only increase; a smaller one means the receiver lost its ack state.
  if (std::any_of(pending_.begin(), pending_.end(),
                  [id](const Pending& p) { return p.ack_id >= id; })) {
    RequeueAllPending("the receiver's ackIds started again (restarted?)");
  }
  for (size_t i : batch) round_[i].state = State::kAwaitingAck;
  pending_.push_back({id, batch, clock_.now()});
  return absl::OkStatus();
}

absl::Status SplunkHecSink::HandleRejected(const std::vector<size_t>& batch,
                                           const http::HttpResponse& resp) {
  HecReply reply = ParseReply(resp.body);
  // Splunk indexed the events before the one it names; they carry no ackId (an error reply has
  // none), so they count as delivered.
  size_t n = reply.invalid_event_number.value_or(0);
  bool named = reply.invalid_event_number && n < batch.size();
  if (named) {
    for (size_t k = 0; k < n; ++k) round_[batch[k]].state = State::kDone;
    counters_.sent += n;
  }
  if (IsBadEventCode(reply.code) && (named || batch.size() == 1)) {
    Entry& bad = round_[batch[n]];
    bad.state = State::kDone;
    ++counters_.dead_lettered;
    spdlog::error("splunk_hec: the receiver rejected alert {} ({}); dead-lettered ({} so far)",
                  bad.alert_id, Describe(resp), counters_.dead_lettered);
    return absl::OkStatus();
  }
  if (IsBadEventCode(reply.code)) {
    // A bad event somewhere in the batch but not named: send one per request to find it.
    isolate_ = true;
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError("splunk_hec: the receiver refused the request (" +
                                       Describe(resp) + "); check url, index and ack settings");
}

absl::Status SplunkHecSink::PollAcks() {
  nlohmann::json ids = nlohmann::json::array();
  for (const Pending& p : pending_) ids.push_back(p.ack_id);
  auto resp = client_->Request("POST", kAckPath, nlohmann::json{{"acks", ids}}.dump(),
                               RequestHeaders());
  if (!resp.ok()) {
    RequeueAllPending("the connection to the receiver failed while polling acks");
    return absl::UnavailableError("splunk_hec: ack query: " + std::string(resp.status().message()));
  }
  if (resp->status == 401 || resp->status == 403) {
    return absl::PermissionDeniedError("splunk_hec: ack query: the receiver refused the HEC token "
                                       "from " + config_.token_from + " (" + Describe(*resp) + ")");
  }
  if (resp->status == 400) {
    return absl::FailedPreconditionError("splunk_hec: ack query refused (" + Describe(*resp) +
                                         "); is indexer acknowledgement enabled for the token?");
  }
  if (resp->status != 200) return absl::UnavailableError("splunk_hec: ack query: " + Describe(*resp));
  auto j = nlohmann::json::parse(resp->body, nullptr, false);
  if (!j.is_object() || !j.contains("acks") || !j["acks"].is_object()) {
    return absl::UnavailableError("splunk_hec: ack query: unexpected reply " +
                                  resp->body.substr(0, 200));
  }
  const auto& acks = j["acks"];
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto a = acks.find(std::to_string(it->ack_id));
    if (a == acks.end() || !a->is_boolean() || !a->get<bool>()) {
      ++it;
      continue;
    }
    for (size_t i : it->entries) round_[i].state = State::kDone;
    ++counters_.acked_requests;
    counters_.acked += it->entries.size();
    spdlog::debug("splunk_hec: ackId {} acknowledged ({} alert(s))", it->ack_id,
                  it->entries.size());
    it = pending_.erase(it);
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> SplunkHecSink::RequestHeaders() const {
  std::map<std::string, std::string> h = {{"Authorization", "Splunk " + config_.token},
                                          {"Content-Type", "application/json"}};
  if (!channel_.empty()) h["X-Splunk-Request-Channel"] = channel_;
  return h;
}

void SplunkHecSink::Requeue(const Pending& p, const char* why) {
  for (size_t i : p.entries) round_[i].state = State::kUnsent;
  counters_.resent += p.entries.size();
  spdlog::warn("splunk_hec: resending {} alert(s) of ackId {}: {}", p.entries.size(), p.ack_id,
               why);
}

void SplunkHecSink::RequeueAllPending(const char* why) {
  for (const Pending& p : pending_) Requeue(p, why);
  pending_.clear();
}

void SplunkHecSink::ClearRound() {
  round_.clear();
  round_ids_.clear();
  pending_.clear();
  isolate_ = false;
}

}  // namespace tripline::correlator
