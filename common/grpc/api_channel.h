#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace grpc {
class Channel;
class ClientContext;
}  // namespace grpc

namespace tripline {

// How a client reaches the correlator's gRPC API (api.listen, api.tls, api.token_file on the
// server). TLS is used when any of the three files is set: `ca_file` verifies the server (empty:
// the system roots), `cert_file`/`key_file` are the client certificate the server asks for with
// mTLS. `token` is sent with every call as `authorization: Bearer <token>`; it is never logged.
struct ApiClientConfig {
  std::string server = "127.0.0.1:7443";
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string token;

  bool tls() const { return !ca_file.empty() || !cert_file.empty() || !key_file.empty(); }
};

// A channel to `config.server` with the configured transport security; the PEM files are read
// here (an unreadable file is an error naming it). The channel reconnects by itself (gRPC's
// backoff, capped at `max_reconnect_backoff_ms`). Thread-safe, like any gRPC channel.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeApiChannel(const ApiClientConfig& config,
                                                              int max_reconnect_backoff_ms = 10000);

// Adds the bearer token (if any) to one call.
void AddApiAuth(const ApiClientConfig& config, grpc::ClientContext* ctx);

// The token in `path`: the file's content without surrounding white space; an empty file is an
// error, so that a mistake never turns into "no authentication".
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace tripline
