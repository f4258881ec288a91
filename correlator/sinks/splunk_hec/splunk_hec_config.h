#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "common/config/config_node.h"

namespace tripline::correlator {

// `outputs.splunk_hec:` of correlator.yaml (config/correlator.yaml documents every key).
struct SplunkHecConfig {
  std::string url;  // scheme://host:port; the sink adds /services/collector/event
  // The HEC token, read from token_file or token_env when the config loads. Never logged:
  // messages name `token_from` instead.
  std::string token;
  std::string token_from;  // "token_file /etc/..." or "token_env NAME", for error messages
  std::string index;       // empty: the token's default index
  std::string sourcetype = "tripline:alert";
  std::string source = "tripline-correlator";
  std::string host;  // empty: each alert's host name
  size_t batch_max_bytes = 1'000'000;
  bool ack = false;  // indexer acknowledgement
  std::chrono::milliseconds ack_timeout{60'000};  // then the unacknowledged requests are resent
  std::string ca_file, client_cert_file, client_key_file;
  bool tls_verify = true;
  std::chrono::milliseconds timeout{10'000};  // connect, write and read of one request
};

// Reads `outputs.splunk_hec` if present (nullopt when absent). Every problem (unknown key,
// missing url or token, unreadable token file, bad number) is added to `outputs`' error list with
// its file:line. Relative paths are resolved against `base_dir`, the config file's folder.
std::optional<SplunkHecConfig> ParseSplunkHecConfig(config::ConfigNode& outputs,
                                                    const std::filesystem::path& base_dir);

}  // namespace tripline::correlator
