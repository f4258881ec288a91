#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "common/config/config_node.h"
#include "common/status.h"

namespace tripline::correlator {

// outputs.elasticsearch in correlator.yaml: an Elasticsearch or OpenSearch cluster that takes the
// alerts through the _bulk API (config/correlator.yaml documents every key).
struct BulkSinkConfig {
  std::string url;  // http(s)://host:port, no path
  // A data-stream friendly name (logs-<dataset>-<namespace>): Elasticsearch's built-in `logs`
  // template makes it a data stream, which accepts only `create`, which is what we send.
  std::string index = "logs-tripline.alert-default";
  // Basic auth: username with exactly one of password_file / password_env. Or api_key_file
  // (Elasticsearch `Authorization: ApiKey <encoded key>`). Secrets are read when the sink is
  // built, never kept in this struct and never logged.
  std::string username;
  std::string password_file;
  std::string password_env;
  std::string api_key_file;
  std::string ca_file;  // https only; empty: the system's trust store
  std::string client_cert_file;
  std::string client_key_file;
  bool tls_verify = true;
  std::chrono::milliseconds timeout{10'000};  // per request: connect, write, read
  size_t batch_max_bytes = 5 * 1024 * 1024;   // one _bulk body at most (a larger batch is split)
  // true: `refresh=wait_for`, Flush() returns when the alerts are searchable (tests, demos).
  bool refresh = false;
};

// Reads and checks outputs.elasticsearch; every problem goes to `node`'s errors with its line.
// Relative file paths are resolved against `base` (the config file's folder).
BulkSinkConfig ReadBulkSinkConfig(config::ConfigNode node, const std::filesystem::path& base);

// The Authorization header value ("Basic ...", "ApiKey ...", or "" for none), reading the
// secret from its file or variable. Errors name the file or variable, never the secret.
[[nodiscard]] absl::StatusOr<std::string> BulkAuthorization(const BulkSinkConfig& config);

}  // namespace tripline::correlator
