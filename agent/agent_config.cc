#include "agent/agent_config.h"

#include <unistd.h>

#include <algorithm>

#include "agent/parsers/parser.h"
#include "common/config/config_node.h"

namespace tripline::agent {
namespace {

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

FileSourceConfig ReadFileSource(config::ConfigNode& node) {
  FileSourceConfig s;
  s.name = node.RequiredString("name");
  std::string type = node.String("type", "file");
  if (type != "file") node.Error("type", "unknown source type '" + type + "' (file)");
  s.path = node.RequiredString("path");
  s.format = node.RequiredString("format");
  const auto& formats = ParserFormats();
  if (!s.format.empty() && std::find(formats.begin(), formats.end(), s.format) == formats.end()) {
    node.Error("format", "unknown format '" + s.format + "' (one of: " + Join(formats) + ")");
  }
  s.max_line_bytes = static_cast<size_t>(node.Int("max_line_bytes", 64 * 1024, 256, 16 << 20));
  node.Finish();
  return s;
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  config::ConfigErrors errors(path);
  YAML::Node root_yaml = config::LoadYamlFile(path, &errors);
  AgentConfig c;
  if (errors.empty()) {
    config::ConfigNode root(&errors, root_yaml, "");
    config::ConfigNode agent = root.Child("agent");
    c.agent_id = agent.String("id", HostName());
    c.host_name = agent.String("host_name", HostName());
    c.exchange_build = agent.String("exchange_build");
    c.data_dir = agent.RequiredString("data_dir");
    c.poll_interval_ms = static_cast<int>(agent.Int("poll_interval_ms", 200, 1, 60000));
    c.checkpoint_interval_ms =
        static_cast<int>(agent.Int("checkpoint_interval_ms", 1000, 10, 600000));
    c.shutdown_timeout_ms = static_cast<int>(agent.Int("shutdown_timeout_ms", 10000, 0, 600000));
    agent.Finish();

    config::ConfigNode kafka = root.Child("kafka");
    c.kafka = kafka::ReadKafkaSettings(kafka);
    c.topic = kafka.String("topic", c.topic);
    kafka.Finish();

    auto sources = root.ChildList("sources");
    if (sources.empty()) root.Error("sources", "at least one source is required");
    for (auto& s : sources) c.sources.push_back(ReadFileSource(s));
    for (size_t i = 0; i < c.sources.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (c.sources[i].name == c.sources[j].name && !c.sources[i].name.empty()) {
          sources[i].Error("name", "duplicate source name '" + c.sources[i].name + "'");
        }
      }
    }

    config::ConfigNode log = root.Child("log");
    c.log_level = log.String("level", c.log_level);
    c.log_format = log.String("format", c.log_format);
    if (c.log_format != "text" && c.log_format != "json") {
      log.Error("format", "must be text or json");
    }
    log.Finish();
    root.Finish();
  }
  if (!errors.empty()) return absl::InvalidArgumentError(errors.ToString());
  return c;
}

}  // namespace tripline::agent
