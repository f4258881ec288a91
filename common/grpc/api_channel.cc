#include "common/grpc/api_channel.h"

#include <grpcpp/grpcpp.h>

#include "common/file_util.h"

namespace tripline {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(std::string(what) + " " + path + ": " +
                                      std::string(text.status().message()));
  }
  if (text->find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(std::string(what) + " " + path + ": not a PEM file");
  }
  return text;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeApiChannel(const ApiClientConfig& config,
                                                              int max_reconnect_backoff_ms) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_reconnect_backoff_ms);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(1000, max_reconnect_backoff_ms));
  if (!config.tls()) {
    return grpc::CreateCustomChannel(config.server, grpc::InsecureChannelCredentials(), args);
  }
  if (config.cert_file.empty() != config.key_file.empty()) {
    return absl::InvalidArgumentError("a client certificate needs both its cert and key files");
  }
  grpc::SslCredentialsOptions ssl;
  if (!config.ca_file.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(config.ca_file, "CA file"));
  }
  if (!config.cert_file.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPem(config.cert_file, "certificate file"));
    TRIPLINE_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(config.key_file, "key file"));
  }
  return grpc::CreateCustomChannel(config.server, grpc::SslCredentials(ssl), args);
}

void AddApiAuth(const ApiClientConfig& config, grpc::ClientContext* ctx) {
  if (!config.token.empty()) ctx->AddMetadata("authorization", "Bearer " + config.token);
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError("token file " + path + ": " +
                                      std::string(text.status().message()));
  }
  const char* kSpace = " \t\r\n";
  size_t begin = text->find_first_not_of(kSpace);
  if (begin == std::string::npos) {
    return absl::InvalidArgumentError("token file " + path + " is empty");
  }
  size_t end = text->find_last_not_of(kSpace);
  return text->substr(begin, end - begin + 1);
}

}  // namespace tripline
