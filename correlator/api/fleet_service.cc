#include "correlator/api/fleet_service.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

namespace tripline::correlator {
namespace {

grpc::Status ToGrpc(const absl::Status& st) {
  if (st.ok()) return grpc::Status::OK;
  auto code = absl::IsResourceExhausted(st) ? grpc::StatusCode::RESOURCE_EXHAUSTED
                                            : grpc::StatusCode::INVALID_ARGUMENT;
  return {code, std::string(st.message())};
}

}  // namespace

grpc::Status FleetServiceImpl::Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                                        v1::RegisterResponse* resp) {
  if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
  absl::Status st = registry_->Register(req->agent());
  if (!st.ok()) return ToGrpc(st);
  spdlog::info("fleet: agent {} (host {}, version {}) registered from {}", req->agent().agent_id(),
               req->agent().host_name(), req->agent().version(), ctx->peer());
  resp->set_heartbeat_interval_seconds(
      static_cast<uint32_t>(registry_->config().heartbeat_interval_s));
  return grpc::Status::OK;
}

grpc::Status FleetServiceImpl::Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                                         v1::HeartbeatResponse*) {
  if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
  return ToGrpc(registry_->Heartbeat(req->agent()));
}

grpc::Status FleetServiceImpl::ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest*,
                                          v1::ListAgentsResponse* resp) {
  if (grpc::Status auth = security_->Authorize(*ctx); !auth.ok()) return auth;
  for (auto& a : registry_->List()) *resp->add_agents() = std::move(a);
  return grpc::Status::OK;
}

}  // namespace tripline::correlator
