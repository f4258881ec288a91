#pragma once

#include "correlator/api/api_security.h"
#include "correlator/api/fleet_registry.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline::correlator {

// FleetService over a FleetRegistry: Register answers with the configured heartbeat interval,
// Heartbeat records the agent's figures, ListAgents lists every agent with its health.
// Handlers run on gRPC threads; `registry` and `security` must outlive the service.
class FleetServiceImpl final : public v1::FleetService::Service {
 public:
  FleetServiceImpl(FleetRegistry* registry, const ApiSecurity* security)
      : registry_(registry), security_(security) {}

  grpc::Status Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                        v1::RegisterResponse* resp) override;
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                         v1::HeartbeatResponse* resp) override;
  grpc::Status ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest* req,
                          v1::ListAgentsResponse* resp) override;

 private:
  FleetRegistry* registry_;
  const ApiSecurity* security_;
};

}  // namespace tripline::correlator
