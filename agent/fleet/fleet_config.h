#pragma once

#include <string>

#include "common/grpc/api_channel.h"

namespace tripline::config {
class ConfigNode;
}

namespace tripline::agent {

// The optional `fleet:` section of agent.yaml: where the correlator's FleetService is and how to
// authenticate to it. The heartbeat interval comes from the correlator (RegisterResponse).
struct FleetClientConfig {
  bool enabled = false;   // the section is present
  ApiClientConfig api;    // server, tls.{ca_file, cert_file, key_file}, the token (read at load)
  std::string agent_id;   // default: agent.id (itself the host name by default)
};

// Reads `fleet:`; problems go to the node's error list with their position.
FleetClientConfig ReadFleetClientConfig(config::ConfigNode& node, const std::string& agent_id);

}  // namespace tripline::agent
