#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace grpc {
class ServerContext;
class ServerCredentials;
class Status;
}  // namespace grpc

namespace tripline::correlator {

// api.tls and api.token_file of correlator.yaml.
struct ApiSecurityConfig {
  std::string cert_file;       // server certificate chain (PEM); with key_file: TLS
  std::string key_file;
  std::string client_ca_file;  // set: clients must present a certificate signed by it (mTLS)
  std::string token_file;      // set: every call carries `authorization: Bearer <token>`

  bool tls() const { return !cert_file.empty(); }
};

// The transport security and call authorization of the correlator's gRPC API (every service).
//
// TLS, and mTLS when a client CA is set (the handshake itself refuses a client without a
// certificate or with one from another CA). The bearer token is checked by Authorize(), called
// first by every handler: gRPC 1.51 (Debian 12) aborts when an AuthMetadataProcessor is set on
// insecure credentials and its interceptors cannot fail a call before the handler runs, so a
// token-only setup has no other hook. The token is compared by digest in constant time and never
// logged. Immutable once loaded: Authorize() runs on any gRPC thread.
class ApiSecurity {
 public:
  // Reads the PEM files and the token file; an unreadable or empty one is an error naming it.
  static absl::StatusOr<std::unique_ptr<ApiSecurity>> Load(const ApiSecurityConfig& config);

  std::shared_ptr<grpc::ServerCredentials> credentials() const { return credentials_; }
  // OK, or UNAUTHENTICATED when a token is required and the call does not carry it.
  grpc::Status Authorize(const grpc::ServerContext& ctx) const;
  // For the start-up log: "plaintext", "TLS", "mTLS", each with "+ token" when one is required.
  std::string Describe() const;
  bool tls() const { return tls_; }
  bool token() const { return !token_digest_.empty(); }

 private:
  ApiSecurity() = default;

  std::shared_ptr<grpc::ServerCredentials> credentials_;
  std::string token_digest_;  // SHA-256 of the token; empty: no token required
  bool tls_ = false;
  bool mtls_ = false;
};

// True for listen addresses only this host can reach (127.0.0.0/8, ::1, localhost).
bool IsLoopbackListen(const std::string& listen);

}  // namespace tripline::correlator
