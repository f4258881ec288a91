#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/config/config_node.h"

namespace tripline::correlator {

// `outputs.syslog:` of correlator.yaml, checked completely at load (config/correlator.yaml
// documents every key).
struct SyslogSinkConfig {
  enum class Transport { kTcp, kTls };
  enum class Format { kCef, kLeef };

  std::string host;  // from `address: host:port` ([v6]:port for IPv6 literals)
  uint16_t port = 0;
  Transport transport = Transport::kTcp;
  Format format = Format::kCef;
  // RFC 5424 facility code. Default local4 (20): a site-local facility, so a stock rsyslog files
  // the alerts apart from the host's own auth and system logs.
  int facility = 20;
  std::string app_name = "tripline-correlator";  // APP-NAME, printable ASCII, <= 48
  std::string hostname;  // HOSTNAME, printable ASCII, <= 255; empty: this machine's name
  std::string ca_file;           // TLS: CA bundle; empty: the system's trust store
  std::string client_cert_file;  // TLS: client certificate (PEM), with client_key_file
  std::string client_key_file;
  bool tls_verify = true;  // TLS: verify the chain and that it names the address's host
  int timeout_ms = 10000;  // connect + handshake, and writing a batch until the receiver acked it
};

// Reads `outputs.syslog` from `outputs` (nullopt when the key is absent) and records every
// problem in the node's ConfigErrors with its line. Relative file paths are resolved against
// `base` (the config file's folder).
std::optional<SyslogSinkConfig> ReadSyslogSinkConfig(config::ConfigNode& outputs,
                                                     const std::filesystem::path& base);

// "local4" -> 20, "kern" -> 0, ..., or a number 0-23; -1 when unknown.
int SyslogFacilityCode(const std::string& name);

}  // namespace tripline::correlator
