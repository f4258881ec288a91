#include "agent/fleet/fleet_config.h"

#include <unistd.h>

#include "common/config/config_node.h"
#include "common/config/secrets.h"

namespace tripline::agent {
namespace {

void CheckReadable(config::ConfigNode& node, const std::string& key, const std::string& path) {
  if (path.empty()) return;
  if (path.front() != '/') {
    node.Error(key, "'" + path + "' must be an absolute path");
  } else if (::access(path.c_str(), R_OK) != 0) {
    node.Error(key, "'" + path + "' is not a readable file");
  } else {
    const bool secret = key == "key_file" || key == "token_file";
    config::CheckFileKey(node, key, path,
                         secret ? config::FileRole::kSecret : config::FileRole::kTrusted);
  }
}

}  // namespace

FleetClientConfig ReadFleetClientConfig(config::ConfigNode& node, const std::string& agent_id) {
  FleetClientConfig f;
  f.enabled = true;
  f.api.server = node.RequiredString("server");
  if (!f.api.server.empty() && f.api.server.find(':') == std::string::npos) {
    node.Error("server", "'" + f.api.server + "': host:port of the correlator's api.listen");
  }
  f.agent_id = node.String("agent_id", agent_id);
  if (node.Has("tls")) {
    config::ConfigNode tls = node.Child("tls");
    f.api.ca_file = tls.String("ca_file");
    f.api.cert_file = tls.String("cert_file");
    f.api.key_file = tls.String("key_file");
    CheckReadable(tls, "ca_file", f.api.ca_file);
    CheckReadable(tls, "cert_file", f.api.cert_file);
    CheckReadable(tls, "key_file", f.api.key_file);
    if (f.api.cert_file.empty() != f.api.key_file.empty()) {
      tls.Error(f.api.cert_file.empty() ? "cert_file" : "key_file",
                "a client certificate needs both cert_file and key_file");
    }
    if (!f.api.tls()) tls.Error("ca_file", "name at least ca_file (or cert_file and key_file)");
    tls.Finish();
  }
  std::string token_file = node.String("token_file");
  CheckReadable(node, "token_file", token_file);
  if (!token_file.empty() && ::access(token_file.c_str(), R_OK) == 0) {
    auto token = ReadTokenFile(token_file);
    if (token.ok()) {
      f.api.token = *std::move(token);
    } else {
      node.Error("token_file", std::string(token.status().message()));
    }
  }
  node.Finish();
  return f;
}

}  // namespace tripline::agent
