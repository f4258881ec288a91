#pragma once

#include <string>
#include <vector>

#include "agent/sources/file/file_source.h"
#include "agent/sources/evtx/evtx_source.h"
#include "agent/sources/fim/fim_config.h"
#include "agent/sources/winevent/winevent_config.h"
#include "common/spool/spool.h"
#include "common/kafka/kafka_client.h"
#include "common/status.h"
#ifndef _WIN32
// Linux only: the host sources (on Windows, Sysmon and Security events carry the same facts) and
// the fleet client (gRPC is not in the Windows build).
#include "agent/fleet/fleet_config.h"
#include "agent/sources/host/network_source.h"
#include "agent/sources/host/process_source.h"
#include "agent/sources/host/service_source.h"
#endif

namespace tripline::agent {

// agent.yaml, checked completely at load (config/agent.yaml documents every key).
struct AgentConfig {
  std::string agent_id;        // default: the host name
  std::string host_name;       // default: the host name
  std::string exchange_build;  // reported in every event's host.exchange_build
  std::string data_dir;        // spool and source states live here
  kafka::KafkaSettings kafka;
  std::string topic = "tripline.events";
  spool::SpoolConfig spool;
  int sync_interval_ms = 100;  // group fsync of the spool, then source states are saved
  std::vector<FileSourceConfig> file_sources;  // sources of type file
  std::vector<FimConfig> fim_sources;          // sources of type fim
  std::vector<EvtxSourceConfig> evtx_sources;  // sources of type evtx
  std::vector<WineventSourceConfig> winevent_sources;  // type winevent (Windows agent only)
#ifndef _WIN32
  std::vector<ProcessSourceConfig> process_sources;
  std::vector<ServiceSourceConfig> service_sources;
  std::vector<NetworkSourceConfig> network_sources;
#endif
  int poll_interval_ms = 100;
  int shutdown_timeout_ms = 5000;
  std::string metrics_listen;  // host:port of /metrics and /health; empty: off
#ifndef _WIN32
  FleetClientConfig fleet;     // fleet: heartbeats to the correlator; absent: off
#endif
  std::string log_level = "info";
  std::string log_format = "text";
  // Problems that do not stop the agent (a key file readable by everyone), each with its place;
  // logged at start.
  std::vector<std::string> warnings;
};

// Loads and validates `path`. On any problem the status message lists every one of them, each as
// `file:line: key.path: problem`, and the status code is InvalidArgument.
absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path);

}  // namespace tripline::agent
