#include "correlator/correlator_config.h"

#include <unistd.h>

#include <filesystem>

#include "common/config/config_node.h"
#include "common/config/file_safety.h"
#include "common/config/secrets.h"

namespace tripline::correlator {
namespace {

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

// outputs.outbox: how the alerts of remote sinks wait on disk while a receiver is down.
void ReadOutbox(config::ConfigNode node, const std::filesystem::path& base, OutboxConfig& o) {
  o.enabled = node.Bool("enabled", o.enabled);
  o.dir = Resolve(base, node.String("dir"));
  o.max_bytes = static_cast<uint64_t>(
      node.Int("max_bytes", static_cast<int64_t>(o.max_bytes), 64 * 1024, 1LL << 40));
  std::string policy = node.String("full_policy", "block");
  if (policy != "block" && policy != "drop_oldest") {
    node.Error("full_policy", "must be block (hold consumption back) or drop_oldest (counted)");
  }
  o.full_policy = policy == "drop_oldest" ? spool::SpoolConfig::FullPolicy::kDropOldest
                                          : spool::SpoolConfig::FullPolicy::kBlock;
  o.max_batch = static_cast<size_t>(node.Int("max_batch", 500, 1, 100000));
  node.Finish();
}

// A file the correlator must read at start (certificates, keys, the token).
void CheckReadable(config::ConfigNode& node, const std::string& key, const std::string& path) {
  if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
    node.Error(key, "'" + path + "' is not a readable file");
    return;
  }
  const bool secret = key == "key_file" || key == "token_file";
  config::CheckFileKey(node, key, path,
                       secret ? config::FileRole::kSecret : config::FileRole::kTrusted);
}

// api.tls: the server's certificate and key; with client_ca_file, clients need a certificate
// signed by that CA (mTLS).
void ReadApiTls(config::ConfigNode node, const std::filesystem::path& base, ApiSecurityConfig& s) {
  s.cert_file = Resolve(base, node.RequiredString("cert_file"));
  s.key_file = Resolve(base, node.RequiredString("key_file"));
  s.client_ca_file = Resolve(base, node.String("client_ca_file"));
  CheckReadable(node, "cert_file", s.cert_file);
  CheckReadable(node, "key_file", s.key_file);
  CheckReadable(node, "client_ca_file", s.client_ca_file);
  node.Finish();
}

// fleet: how often agents heartbeat and when one that stopped counts as silent.
void ReadFleet(config::ConfigNode node, const std::filesystem::path& base, FleetConfig& f) {
  f.heartbeat_interval_s = static_cast<int>(node.Int("heartbeat_interval_s", 30, 1, 3600));
  f.silent_after_intervals = static_cast<int>(node.Int("silent_after_intervals", 2, 1, 100));
  f.state_file = Resolve(base, node.String("state_file"));
  f.max_agents = static_cast<size_t>(node.Int("max_agents", 10000, 1, 10000000));
  node.Finish();
}

}  // namespace

absl::StatusOr<CorrelatorConfig> LoadCorrelatorConfig(const std::string& path) {
  config::ConfigErrors errors(path);
  // A config anyone can rewrite is a way to change the rules, sinks and credentials: refused.
  if (absl::Status st = config::CheckFileSafety(path, config::FileRole::kConfig, nullptr);
      !st.ok() && !absl::IsNotFound(st)) {
    return absl::InvalidArgumentError(std::string(st.message()) + "\n");
  }
  YAML::Node yaml = config::LoadYamlFile(path, &errors);
  CorrelatorConfig c;
  auto base = std::filesystem::absolute(path).parent_path();
  if (errors.empty()) {
    config::ConfigNode root(&errors, yaml, "");
    config::ConfigNode kafka = root.Child("kafka");
    c.kafka = kafka::ReadKafkaSettings(kafka);
    c.group_id = kafka.String("group_id", c.group_id);
    c.events_topic = kafka.String("events_topic", c.events_topic);
    c.alerts_topic = kafka.String("alerts_topic", c.alerts_topic);
    c.create_topics = kafka.Bool("create_topics", c.create_topics);
    c.topic_partitions = static_cast<int>(kafka.Int("topic_partitions", 4, 1, 10000));
    kafka.Finish();

    config::ConfigNode rules = root.Child("rules");
    for (const auto& p : rules.StringList("paths")) c.rule_paths.push_back(Resolve(base, p));
    if (c.rule_paths.empty()) rules.Error("paths", "at least one rule file or folder is required");
    c.field_map = Resolve(base, rules.RequiredString("field_map"));
    std::string on_error = rules.String("on_error", "fail");
    if (on_error != "fail" && on_error != "skip") rules.Error("on_error", "must be fail or skip");
    c.skip_bad_rules = on_error == "skip";
    rules.Finish();

    config::ConfigNode outputs = root.Child("outputs");
    c.jsonl_path = Resolve(base, outputs.String("jsonl"));
    c.stdout_alerts = outputs.Bool("stdout", false);
    std::string on_failure = outputs.String("on_failure", "block");
    if (on_failure != "block" && on_failure != "drop") {
      outputs.Error("on_failure", "must be block (retry until the sink takes the alerts) or drop");
    }
    c.drop_on_sink_failure = on_failure == "drop";
    c.sink_max_attempts = static_cast<int>(outputs.Int("max_attempts", 5, 1, 1000));
    c.sink_backoff_ms = static_cast<int>(outputs.Int("retry_backoff_ms", 500, 10, 60000));
    if (outputs.Has("outbox")) ReadOutbox(outputs.Child("outbox"), base, c.outbox);
    c.splunk_hec = ParseSplunkHecConfig(outputs, base);
    c.syslog = ReadSyslogSinkConfig(outputs, base);
    if (outputs.Has("elasticsearch")) {
      c.elasticsearch = ReadBulkSinkConfig(outputs.Child("elasticsearch"), base);
    }
    outputs.Finish();

    config::ConfigNode api = root.Child("api");
    c.api_listen = api.String("listen", c.api_listen);
    c.alerts_dir = Resolve(base, api.String("alerts_dir"));
    if (api.Has("tls")) ReadApiTls(api.Child("tls"), base, c.api_security);
    c.api_security.token_file = Resolve(base, api.String("token_file"));
    CheckReadable(api, "token_file", c.api_security.token_file);
    api.Finish();
    if (root.Has("fleet")) ReadFleet(root.Child("fleet"), base, c.fleet);
    config::ConfigNode metrics = root.Child("metrics");
    c.metrics_listen = metrics.String("listen", c.metrics_listen);
    metrics.Finish();

    config::ConfigNode corr = root.Child("correlator");
    c.batch_size = static_cast<int>(corr.Int("batch_size", 1000, 1, 1000000));
    c.workers = static_cast<int>(corr.Int("workers", 0, 0, 256));
    c.commit_interval_ms = static_cast<int>(corr.Int("commit_interval_ms", 1000, 0, 600000));
    c.state_dir = Resolve(base, corr.String("state_dir", c.state_dir));
    c.allowed_lateness_ms = corr.Int("allowed_lateness_ms", c.allowed_lateness_ms, 0, 30LL * 86400000);
    c.suppression_window_ms = corr.Int("suppression_window_ms", 0, 0, 30LL * 86400000);
    c.state_caps.max_keys =
        static_cast<size_t>(corr.Int("max_keys_per_rule", 100000, 1, 100000000));
    c.state_caps.max_per_key = static_cast<size_t>(corr.Int("max_per_key", 1000, 1, 1000000));
    c.state_caps.max_runs_per_key =
        static_cast<size_t>(corr.Int("max_runs_per_key", 64, 1, 100000));
    c.shutdown_timeout_ms = static_cast<int>(corr.Int("shutdown_timeout_ms", 10000, 0, 600000));
    corr.Finish();
    if (c.alerts_dir.empty()) c.alerts_dir = c.state_dir + "/alerts";
    if (c.fleet.state_file.empty()) c.fleet.state_file = c.state_dir + "/fleet/agents.bin";
    if (c.outbox.dir.empty()) c.outbox.dir = c.state_dir + "/outbox";

    config::ConfigNode log = root.Child("log");
    c.log_level = log.String("level", c.log_level);
    c.log_format = log.String("format", c.log_format);
    if (c.log_format != "text" && c.log_format != "json") log.Error("format", "must be text or json");
    log.Finish();
    root.Finish();
  }
  if (!errors.empty()) return absl::InvalidArgumentError(errors.ToString());
  c.warnings = errors.warnings();
  return c;
}

}  // namespace tripline::correlator
