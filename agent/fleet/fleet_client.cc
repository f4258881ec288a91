#include "agent/fleet/fleet_client.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tripline::agent {
namespace {

constexpr auto kMaxBackoff = std::chrono::seconds(30);
constexpr auto kMaxCallTime = std::chrono::seconds(5);
constexpr double kDegradedUnsentAgeS = 60;

}  // namespace

absl::StatusOr<std::unique_ptr<FleetClient>> FleetClient::Start(const FleetClientConfig& config,
                                                                const std::string& host_name,
                                                                const std::string& exchange_build) {
  v1::AgentStatus identity;
  identity.set_agent_id(config.agent_id);
  identity.set_host_name(host_name);
  identity.set_exchange_build(exchange_build);
  identity.set_version(TRIPLINE_VERSION);
  std::unique_ptr<FleetClient> c(new FleetClient(config, identity));
  TRIPLINE_ASSIGN_OR_RETURN(auto channel, MakeApiChannel(config.api));
  c->stub_ = v1::FleetService::NewStub(channel);
  c->thread_ = std::thread([self = c.get()] { self->Run(); });
  spdlog::info("fleet: agent {} reports to the correlator at {}{}", identity.agent_id(),
               config.api.server, config.api.tls() ? " (TLS)" : "");
  return c;
}

FleetClient::~FleetClient() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FleetClient::Update(const FleetFigures& figures) {
  std::lock_guard lock(mu_);
  figures_ = figures;
  wants_figures_.store(false, std::memory_order_relaxed);
}

v1::AgentStatus FleetClient::Snapshot() {
  v1::AgentStatus s = identity_;
  std::lock_guard lock(mu_);
  s.set_source_lag_bytes(figures_.source_lag_bytes);
  s.set_spool_bytes(figures_.spool_bytes);
  bool degraded = figures_.spool_full || figures_.oldest_unsent_age_s > kDegradedUnsentAgeS;
  s.set_health(degraded ? "degraded" : "ok");
  wants_figures_.store(true, std::memory_order_relaxed);
  return s;
}

bool FleetClient::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void FleetClient::Failed(const char* what, const grpc::Status& st) {
  // The first failures and then one in ten: a correlator down for hours must not flood the log.
  if (++failures_ <= 3 || failures_ % 10 == 0) {
    spdlog::warn("fleet: {} to {} failed ({} in a row): {}", what, config_.api.server, failures_,
                 st.error_message());
  }
}

bool FleetClient::Register() {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kMaxCallTime);
  AddApiAuth(config_.api, &ctx);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    call_ = &ctx;
  }
  v1::RegisterRequest req;
  *req.mutable_agent() = Snapshot();
  v1::RegisterResponse resp;
  grpc::Status st = stub_->Register(&ctx, req, &resp);
  {
    std::lock_guard lock(mu_);
    call_ = nullptr;
  }
  if (!st.ok()) {
    Failed("register", st);
    return false;
  }
  interval_ = std::chrono::seconds(std::max<uint32_t>(1, resp.heartbeat_interval_seconds()));
  spdlog::info("fleet: registered with {}, heartbeat every {} s", config_.api.server,
               interval_.count());
  failures_ = 0;
  return true;
}

bool FleetClient::Heartbeat() {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::min<std::chrono::milliseconds>(interval_, kMaxCallTime));
  AddApiAuth(config_.api, &ctx);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    call_ = &ctx;
  }
  v1::HeartbeatRequest req;
  *req.mutable_agent() = Snapshot();
  v1::HeartbeatResponse resp;
  grpc::Status st = stub_->Heartbeat(&ctx, req, &resp);
  {
    std::lock_guard lock(mu_);
    call_ = nullptr;
  }
  if (!st.ok()) {
    Failed("heartbeat", st);
    return false;
  }
  heartbeats_.fetch_add(1);
  failures_ = 0;
  return true;
}

void FleetClient::Run() {
  std::chrono::milliseconds backoff(1000);
  bool registered = false;
  while (true) {
    if (!registered) {
      registered = Register();
      if (!registered) {
        if (!Sleep(backoff)) return;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        continue;
      }
      backoff = std::chrono::milliseconds(1000);
    }
    if (!Sleep(interval_)) return;
    // A failed heartbeat registers again (the correlator may have restarted with another
    // interval); the register attempts back off.
    registered = Heartbeat();
  }
}

}  // namespace tripline::agent
