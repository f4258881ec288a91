#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "correlator/api/alert_hub.h"
#include "correlator/api/alert_store.h"
#include "correlator/api/api_security.h"
#include "correlator/api/fleet_registry.h"
#include "tripline/v1/services.grpc.pb.h"

namespace grpc {
class Server;
}

namespace tripline::correlator {

// What the RuleService needs from the correlator. Called from gRPC threads.
class RuleControl {
 public:
  virtual ~RuleControl() = default;
  // The rules in force (a snapshot).
  virtual std::vector<v1::RuleInfo> ListRules() = 0;
  // Compiles `yaml` with the configured field map; touches nothing that runs.
  virtual v1::ValidateResponse Validate(const std::string& yaml, const std::string& name) = 0;
  // Reads the configured rule paths again and swaps the result in on the correlator's thread;
  // returns once that happened (or failed: then nothing changed).
  virtual v1::ReloadResponse Reload() = 0;
};

// The correlator's gRPC API (proto/tripline/v1/services.proto): AlertService (StreamAlerts from
// the hub, ListAlerts and GetAlert from the store), RuleService (through RuleControl) and, when
// `fleet` is given, FleetService. Every service sits behind the same ApiSecurity (TLS or mTLS,
// bearer token), loaded from `security` at Start() (a bad file fails the start).
// Lifecycle: Start() binds and serves on gRPC's own threads; the destructor closes the hub's
// streams and shuts the server down. `hub`, `store`, `rules` and `fleet` must outlive the server.
class ApiServer {
 public:
  static absl::StatusOr<std::unique_ptr<ApiServer>> Start(const std::string& listen,
                                                          const ApiSecurityConfig& security,
                                                          AlertHub* hub, const AlertStore* store,
                                                          RuleControl* rules,
                                                          FleetRegistry* fleet = nullptr);
  ~ApiServer();
  int port() const { return port_; }

 private:
  class AlertServiceImpl;
  class RuleServiceImpl;
  ApiServer() = default;

  AlertHub* hub_ = nullptr;
  std::unique_ptr<ApiSecurity> security_;
  std::unique_ptr<v1::FleetService::Service> fleet_;
  std::unique_ptr<AlertServiceImpl> alerts_;
  std::unique_ptr<RuleServiceImpl> rules_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace tripline::correlator
