#include "correlator/api/api_server.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "correlator/api/fleet_service.h"

namespace tripline::correlator {
namespace {

constexpr uint32_t kDefaultListLimit = 100;
constexpr uint32_t kMaxListLimit = 10'000;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

}  // namespace

class ApiServer::AlertServiceImpl final : public v1::AlertService::Service {
 public:
  AlertServiceImpl(AlertHub* hub, const AlertStore* store, const ApiSecurity* security)
      : hub_(hub), store_(store), security_(security) {}

  grpc::Status StreamAlerts(grpc::ServerContext* ctx, const v1::StreamAlertsRequest* req,
                            grpc::ServerWriter<v1::Alert>* writer) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    auto sub = hub_->Subscribe(req->min_severity());
    if (req->include_recent() && store_ != nullptr) {
      std::vector<v1::Alert> recent = store_->List(kDefaultListLimit, req->min_severity(), 0);
      for (auto it = recent.rbegin(); it != recent.rend(); ++it) {  // oldest first
        if (!writer->Write(*it)) break;
      }
    }
    while (!ctx->IsCancelled()) {
      std::optional<v1::Alert> alert = sub->Next(std::chrono::milliseconds(500));
      if (alert && !writer->Write(*alert)) break;  // the client went away
      if (!alert && hub_->subscribers() == 0) break;  // the hub was closed
    }
    hub_->Unsubscribe(sub);
    if (sub->dropped() > 0) {
      spdlog::warn("alert stream {}: {} alert(s) dropped, the client did not keep up", ctx->peer(),
                   sub->dropped());
    }
    return grpc::Status::OK;
  }

  grpc::Status ListAlerts(grpc::ServerContext* ctx, const v1::ListAlertsRequest* req,
                          v1::ListAlertsResponse* resp) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    if (store_ == nullptr) return {grpc::StatusCode::UNAVAILABLE, "no alert store"};
    uint32_t limit = req->limit() == 0 ? kDefaultListLimit : std::min(req->limit(), kMaxListLimit);
    int64_t since = req->has_since() ? Micros(req->since()) : 0;
    for (auto& a : store_->List(limit, req->min_severity(), since)) *resp->add_alerts() = std::move(a);
    return grpc::Status::OK;
  }

  grpc::Status GetAlert(grpc::ServerContext* ctx, const v1::GetAlertRequest* req,
                        v1::Alert* resp) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    if (store_ == nullptr) return {grpc::StatusCode::UNAVAILABLE, "no alert store"};
    auto alert = store_->Get(req->alert_id());
    if (!alert) return {grpc::StatusCode::NOT_FOUND, "no alert " + req->alert_id()};
    *resp = std::move(*alert);
    return grpc::Status::OK;
  }

 private:
  AlertHub* hub_;
  const AlertStore* store_;
  const ApiSecurity* security_;
};

class ApiServer::RuleServiceImpl final : public v1::RuleService::Service {
 public:
  RuleServiceImpl(RuleControl* rules, const ApiSecurity* security)
      : rules_(rules), security_(security) {}

  grpc::Status ListRules(grpc::ServerContext* ctx, const v1::ListRulesRequest*,
                         v1::ListRulesResponse* resp) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    for (auto& r : rules_->ListRules()) *resp->add_rules() = std::move(r);
    return grpc::Status::OK;
  }
  grpc::Status Validate(grpc::ServerContext* ctx, const v1::ValidateRequest* req,
                        v1::ValidateResponse* resp) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    *resp = rules_->Validate(req->yaml(), req->name().empty() ? "request.yml" : req->name());
    return grpc::Status::OK;
  }
  grpc::Status Reload(grpc::ServerContext* ctx, const v1::ReloadRequest*,
                      v1::ReloadResponse* resp) override {
    if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
    *resp = rules_->Reload();
    return grpc::Status::OK;
  }

 private:
  RuleControl* rules_;
  const ApiSecurity* security_;
};

absl::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(const std::string& listen,
                                                           const ApiSecurityConfig& security,
                                                           AlertHub* hub,
                                                           const AlertStore* store,
                                                           RuleControl* rules,
                                                           FleetRegistry* fleet) {
  std::unique_ptr<ApiServer> s(new ApiServer());
  TRIPLINE_ASSIGN_OR_RETURN(s->security_, ApiSecurity::Load(security));
  s->hub_ = hub;
  s->alerts_ = std::make_unique<AlertServiceImpl>(hub, store, s->security_.get());
  s->rules_ = std::make_unique<RuleServiceImpl>(rules, s->security_.get());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, s->security_->credentials(), &s->port_);
  builder.RegisterService(s->alerts_.get());
  builder.RegisterService(s->rules_.get());
  if (fleet != nullptr) {
    s->fleet_ = std::make_unique<FleetServiceImpl>(fleet, s->security_.get());
    builder.RegisterService(s->fleet_.get());
  }
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || s->port_ == 0) {
    return absl::UnavailableError("gRPC API: cannot listen on " + listen);
  }
  spdlog::info("gRPC API security: {}", s->security_->Describe());
  if (!s->security_->tls() && !IsLoopbackListen(listen)) {
    spdlog::warn("gRPC API listens on {} without TLS: alerts{} cross the network in clear text "
                 "(set api.tls)", listen, s->security_->token() ? " and the token" : "");
  }
  return s;
}

ApiServer::~ApiServer() {
  if (hub_ != nullptr) hub_->Close();  // ends the StreamAlerts loops
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace tripline::correlator
