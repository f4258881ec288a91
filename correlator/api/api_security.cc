#include "correlator/api/api_security.h"

#include <grpcpp/grpcpp.h>
#include <openssl/crypto.h>

#include "common/file_util.h"
#include "common/grpc/api_channel.h"
#include "common/hash.h"

namespace tripline::correlator {
namespace {

constexpr char kBearer[] = "Bearer ";

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* key) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(std::string("api.tls.") + key + ": " + path + ": " +
                                      std::string(text.status().message()));
  }
  if (text->find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(std::string("api.tls.") + key + ": " + path +
                                      " is not a PEM file");
  }
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ApiSecurity>> ApiSecurity::Load(const ApiSecurityConfig& config) {
  std::unique_ptr<ApiSecurity> s(new ApiSecurity());
  if (config.tls()) {
    grpc::SslServerCredentialsOptions ssl;
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    TRIPLINE_ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(config.cert_file, "cert_file"));
    TRIPLINE_ASSIGN_OR_RETURN(pair.private_key, ReadPem(config.key_file, "key_file"));
    ssl.pem_key_cert_pairs.push_back(std::move(pair));
    if (!config.client_ca_file.empty()) {
      TRIPLINE_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                                ReadPem(config.client_ca_file, "client_ca_file"));
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
      s->mtls_ = true;
    }
    s->credentials_ = grpc::SslServerCredentials(ssl);
    s->tls_ = true;
  } else {
    s->credentials_ = grpc::InsecureServerCredentials();
  }
  if (!config.token_file.empty()) {
    auto token = ReadTokenFile(config.token_file);
    if (!token.ok()) return absl::InvalidArgumentError("api.token_file: " +
                                                       std::string(token.status().message()));
    s->token_digest_ = Sha256Hex(*token);
  }
  return s;
}

grpc::Status ApiSecurity::Authorize(const grpc::ServerContext& ctx) const {
  if (token_digest_.empty()) return grpc::Status::OK;
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    return {grpc::StatusCode::UNAUTHENTICATED, "a bearer token is required"};
  }
  std::string_view value(it->second.data(), it->second.size());
  if (value.substr(0, sizeof kBearer - 1) != kBearer) {
    return {grpc::StatusCode::UNAUTHENTICATED, "authorization must be 'Bearer <token>'"};
  }
  // Digests of equal length, compared in constant time: neither the token's length nor its
  // matching prefix shows in the timing.
  std::string digest = Sha256Hex(value.substr(sizeof kBearer - 1));
  if (CRYPTO_memcmp(digest.data(), token_digest_.data(), digest.size()) != 0) {
    return {grpc::StatusCode::UNAUTHENTICATED, "invalid token"};
  }
  return grpc::Status::OK;
}

std::string ApiSecurity::Describe() const {
  std::string s = mtls_ ? "mTLS" : (tls_ ? "TLS" : "plaintext");
  if (!token_digest_.empty()) s += " + bearer token";
  return s;
}

bool IsLoopbackListen(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace tripline::correlator
