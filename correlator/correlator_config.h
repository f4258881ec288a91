#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/kafka/kafka_client.h"
#include "common/status.h"
#include "correlator/engine/engine.h"
#include "correlator/api/api_security.h"
#include "correlator/api/fleet_registry.h"
#include "correlator/sinks/opensearch/bulk_sink_config.h"
#include "correlator/sinks/outbox/outbox_sink.h"
#include "correlator/sinks/splunk_hec/splunk_hec_config.h"
#include "correlator/sinks/syslog/syslog_config.h"

namespace tripline::correlator {

// correlator.yaml, checked completely at load (config/correlator.yaml documents every key).
// Relative paths are resolved against the config file's folder.
struct CorrelatorConfig {
  kafka::KafkaSettings kafka;
  // Problems that do not stop the correlator (a key file readable by everyone), each with its
  // place; logged at start.
  std::vector<std::string> warnings;
  std::string group_id = "tripline-correlator";
  std::string events_topic = "tripline.events";
  std::string alerts_topic = "tripline.alerts";  // empty: no Kafka alert output
  bool create_topics = true;
  int topic_partitions = 4;

  std::vector<std::string> rule_paths;  // rule files or folders (searched recursively)
  std::string field_map;                // Sigma field names -> Event fields
  bool skip_bad_rules = false;          // rules.on_error: skip (warn) instead of fail

  std::string jsonl_path;  // empty: no JSON lines output
  std::optional<SplunkHecConfig> splunk_hec;  // outputs.splunk_hec; absent: no HEC output
  std::optional<BulkSinkConfig> elasticsearch;  // outputs.elasticsearch (_bulk); absent: none
  std::optional<SyslogSinkConfig> syslog;  // outputs.syslog (CEF/LEEF over TCP/TLS); absent: none
  bool stdout_alerts = false;  // ECS JSON lines on standard output (logs go to stderr)
  bool drop_on_sink_failure = false;  // outputs.on_failure: block (default) or drop
  int sink_max_attempts = 5;          // with drop: attempts before a sink's batch is dropped
  int sink_backoff_ms = 500;          // first retry delay, doubled up to 30 s
  OutboxConfig outbox;  // outputs.outbox: remote sinks' alerts held on disk (dir: <state_dir>/outbox)

  std::string api_listen = "127.0.0.1:7443";  // gRPC AlertService/RuleService; empty: off
  std::string metrics_listen = "127.0.0.1:9465";  // Prometheus /metrics and /health; empty: off
  std::string alerts_dir;  // recent alerts (RocksDB) for ListAlerts; default <state_dir>/alerts
  ApiSecurityConfig api_security;  // api.tls (TLS, mTLS with client_ca_file), api.token_file
  FleetConfig fleet;  // fleet: agents' heartbeats, silence detection (needs api.listen)

  // Where each partition's engine state is checkpointed (RocksDB per partition); members of one
  // group that share it hand partitions over through it.
  std::string state_dir = "/var/lib/tripline-correlator/state";
  int64_t allowed_lateness_ms = 5 * 60 * 1000;  // event time behind the partition's watermark
  int64_t suppression_window_ms = 0;
  engine::StateCaps state_caps;  // correlator.max_keys_per_rule, max_per_key, max_runs_per_key  // per rule and key: later alerts within it held back

  int workers = 0;  // evaluation threads; 0: one per core
  int batch_size = 1000;
  int commit_interval_ms = 1000;
  int shutdown_timeout_ms = 10000;
  std::string log_level = "info";
  std::string log_format = "text";
};

// Loads and validates `path`; on problems the InvalidArgument message lists every one of them as
// `file:line: key.path: problem`.
absl::StatusOr<CorrelatorConfig> LoadCorrelatorConfig(const std::string& path);

}  // namespace tripline::correlator
