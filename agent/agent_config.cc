#include "agent/agent_config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <regex>
#include <set>

#include "agent/parsers/parser.h"
#include "common/config/config_node.h"
#include "common/config/file_safety.h"
#include "common/platform/file.h"
#include "common/platform/system.h"
#ifdef _WIN32
#include "agent/platform/windows/known_paths.h"
#endif

namespace tripline::agent {
namespace {

#ifdef _WIN32
constexpr const char* kPathSeparators = "\\/";
#else
constexpr const char* kPathSeparators = "/";
#endif

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool ValidName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  return std::regex_match(name, kName);
}

// A glob must be absolute, and the folders it names must be readable. A folder that does not
// exist yet is fine (the source waits for it, as log folders appear when IIS first writes).
void CheckGlob(config::ConfigNode& node, const std::string& key, const std::string& pattern) {
  if (!platform::IsAbsolutePath(pattern)) {
    node.Error(key, "'" + pattern + "' must be an absolute path");
    return;
  }
  if (std::count(pattern.begin(), pattern.end(), '[') !=
      std::count(pattern.begin(), pattern.end(), ']')) {
    node.Error(key, "bad glob '" + pattern + "': unbalanced [ ]");
    return;
  }
  size_t cut = pattern.find_last_of(kPathSeparators);
  std::string dir = pattern.substr(0, cut == 0 ? 1 : cut);
  for (const std::string& folder : platform::Glob(dir, /*dirs_only=*/true)) {
    if (!platform::Readable(folder)) node.Error(key, "folder '" + folder + "' is not readable");
  }
}

std::string ReadName(config::ConfigNode& node) {
  std::string name = node.RequiredString("name");
  if (!name.empty() && !ValidName(name)) {
    node.Error("name", "'" + name + "': use letters, digits, '.', '_' and '-' only");
  }
  return name;
}

// type: fim. Folders watched recursively, with a hashed baseline in the data dir.
FimConfig ReadFimSource(config::ConfigNode& node, const std::string& data_dir) {
  FimConfig f;
  f.name = ReadName(node);
  f.roots = node.StringList("paths");
  if (f.roots.empty()) node.Error("paths", "at least one folder to watch is required");
  for (const auto& root : f.roots) {
    if (!platform::IsAbsolutePath(root)) node.Error("paths", "'" + root + "' must be absolute");
  }
  f.include_extensions = node.StringList("extensions");
  f.exclude_globs = node.StringList("exclude");
  f.max_hash_bytes = static_cast<uint64_t>(node.Int("max_hash_bytes", 64 << 20, 0, 1ll << 40));
  f.scan_interval = std::chrono::milliseconds(node.Int("scan_interval_ms", 600000, 1000, 86400000));
  f.report_existing = node.Bool("report_existing", false);
  f.settle = std::chrono::milliseconds(node.Int("settle_ms", 500, 0, 60000));
  f.max_watches = static_cast<size_t>(node.Int("max_watches", 8192, 1, 1 << 24));
  f.baseline_path = data_dir + "/fim/" + f.name + ".baseline";
  if (absl::Status st = ValidateFimConfig(f, ""); !st.ok() && !data_dir.empty() && !f.roots.empty()) {
    node.Error("paths", std::string(st.message()));
  }
  node.Finish();
  return f;
}

// type: evtx. One .evtx file or a folder of them (exported logs), read with libevtx.
EvtxSourceConfig ReadEvtxSource(config::ConfigNode& node) {
  EvtxSourceConfig e;
  e.name = ReadName(node);
  e.path = node.RequiredString("path");
  if (!e.path.empty() && !platform::IsAbsolutePath(e.path)) {
    node.Error("path", "must be an absolute path");
  }
  e.poll_interval = std::chrono::milliseconds(node.Int("poll_interval_ms", 5000, 10, 3600000));
  e.read_recovered = node.Bool("read_recovered", true);
  node.Finish();
  return e;
}

// type: winevent. Live event log channels (EvtSubscribe), each with an optional XPath query.
WineventSourceConfig ReadWineventSource(config::ConfigNode& node) {
  WineventSourceConfig w;
  w.name = ReadName(node);
  if (node.Has("channels")) {
    w.channels.clear();
    std::set<std::string> seen;
    for (config::ConfigNode& entry : node.ChildList("channels")) {
      WineventChannel c{entry.RequiredString("name"), entry.String("query")};
      if (std::any_of(c.name.begin(), c.name.end(), [](unsigned char ch) { return ch < 0x20; })) {
        entry.Error("name", "'" + c.name + "' is not a channel name");
      }
      if (!c.name.empty() && !seen.insert(c.name).second) {
        entry.Error("name", "channel '" + c.name + "' is listed twice");
      }
      if (entry.Has("query") && c.query.empty()) {
        entry.Error("query", "empty (leave it out to read every event of the channel)");
      }
      entry.Finish();
      w.channels.push_back(std::move(c));
    }
    if (w.channels.empty()) node.Error("channels", "list at least one channel, or leave it out");
  }
  std::string start = node.String("start_at", "oldest");
  if (start != "oldest" && start != "future") node.Error("start_at", "must be oldest or future");
  w.start_at = start == "future" ? WineventStart::kFuture : WineventStart::kOldest;
  w.batch_size = static_cast<uint32_t>(node.Int("batch_size", 64, 1, 1024));
  w.retry_interval =
      std::chrono::milliseconds(node.Int("retry_interval_ms", 60000, 1000, 3600000));
  node.Finish();
  return w;
}

#ifndef _WIN32
// type: process. Process starts (netlink proc connector, or a /proc scan).
ProcessSourceConfig ReadProcessSource(config::ConfigNode& node) {
  ProcessSourceConfig p;
  p.name = ReadName(node);
  std::string mechanism = node.String("mechanism", "auto");
  if (mechanism == "connector") {
    p.mechanism = ProcessMechanism::kProcConnector;
  } else if (mechanism == "scan") {
    p.mechanism = ProcessMechanism::kProcScan;
  } else if (mechanism != "auto") {
    node.Error("mechanism", "must be auto, connector or scan");
  }
  p.scan_interval = std::chrono::milliseconds(node.Int("scan_interval_ms", 1000, 50, 600000));
  node.Finish();
  return p;
}

// type: service. systemd units and SysV scripts installed, changed, removed.
ServiceSourceConfig ReadServiceSource(config::ConfigNode& node) {
  ServiceSourceConfig s;
  s.name = ReadName(node);
  if (node.Has("unit_dirs")) s.unit_dirs = node.StringList("unit_dirs");
  if (node.Has("sysv_dirs")) s.sysv_dirs = node.StringList("sysv_dirs");
  s.scan_interval = std::chrono::milliseconds(node.Int("scan_interval_ms", 10000, 100, 86400000));
  s.report_existing = node.Bool("report_existing", false);
  node.Finish();
  return s;
}

// type: network. New TCP connections with their owning process (a /proc/net diff).
NetworkSourceConfig ReadNetworkSource(config::ConfigNode& node) {
  NetworkSourceConfig n;
  n.name = ReadName(node);
  n.scan_interval = std::chrono::milliseconds(node.Int("scan_interval_ms", 1000, 50, 600000));
  n.report_inbound = node.Bool("report_inbound", false);
  n.report_listen = node.Bool("report_listen", false);
  node.Finish();
  return n;
}
#endif

// `logsource: {product: aws, service: cloudtrail}`: the Sigma logsource of what a file source
// reads, for logs whose body does not say it (JSON of a cloud audit log, W3C of a web proxy).
// Stored in lower case, as rules are matched.
v1::DeclaredLogsource ReadDeclaredLogsource(config::ConfigNode node) {
  static const std::regex kPart("[a-z0-9][a-z0-9_.-]{0,63}");
  v1::DeclaredLogsource out;
  const std::pair<const char*, std::string*> parts[] = {{"product", out.mutable_product()},
                                                        {"category", out.mutable_category()},
                                                        {"service", out.mutable_service()}};
  for (const auto& [key, value] : parts) {
    *value = node.String(key);
    std::transform(value->begin(), value->end(), value->begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!value->empty() && !std::regex_match(*value, kPart)) {
      node.Error(key, "'" + *value + "': a Sigma logsource name (letters, digits, '.', '_', '-')");
    }
  }
  if (out.product().empty() && out.category().empty() && out.service().empty()) {
    node.Error("product", "name at least one of product, category, service");
  }
  node.Finish();
  return out;
}

FileSourceConfig ReadFileSource(config::ConfigNode& node) {
  FileSourceConfig s;
  s.name = ReadName(node);
  (void)node.String("type");
  s.paths = node.StringList("paths");
  if (node.Has("path")) s.paths.push_back(node.String("path"));
  if (s.paths.empty()) node.Error("paths", "at least one path or glob is required");
  for (const auto& p : s.paths) CheckGlob(node, node.Has("paths") ? "paths" : "path", p);
  s.exclude = node.StringList("exclude");
  s.format = node.RequiredString("format");
  const auto& formats = ParserFormats();
  if (!s.format.empty() && std::find(formats.begin(), formats.end(), s.format) == formats.end()) {
    node.Error("format", "unknown format '" + s.format + "' (one of: " + Join(formats) + ")");
  }
  std::string enc = node.String("encoding", "auto");
  if (enc == "auto") {
    s.encoding = FileEncoding::kAuto;
  } else if (enc == "utf-8") {
    s.encoding = FileEncoding::kUtf8;
  } else if (enc == "utf-16le") {
    s.encoding = FileEncoding::kUtf16Le;
  } else {
    node.Error("encoding", "must be auto, utf-8 or utf-16le");
  }
  std::string start = node.String("start_at", "beginning");
  if (start != "beginning" && start != "end") node.Error("start_at", "must be beginning or end");
  s.start_at_end = start == "end";
  s.max_line_bytes = static_cast<size_t>(node.Int("max_line_bytes", 64 * 1024, 256, 16 << 20));
  s.discover_interval =
      std::chrono::milliseconds(node.Int("discover_interval_ms", 1000, 10, 3600000));
  s.max_open_files = static_cast<size_t>(node.Int("max_open_files", 512, 1, 100000));
  // The W3C and HttpProxy parsers keep every column (typed fields, the rest in http.extra), so
  // by default their records do not carry the raw line a second time (as Fluent Bit's parser
  // filter and Elastic's integrations do); every other format keeps it. Lines a parser rejects
  // always keep it.
  const bool lossless = s.format == "w3c" || s.format == "httpproxy";
  s.keep_original = node.Bool("keep_original", !lossless);
  if (node.Has("logsource")) s.logsource = ReadDeclaredLogsource(node.Child("logsource"));
  node.Finish();
  return s;
}

void ReadSpool(config::ConfigNode& node, AgentConfig& c) {
  c.spool.dir = node.String("dir", c.data_dir.empty() ? "" : c.data_dir + "/spool");
  c.spool.max_bytes = static_cast<uint64_t>(node.Int("max_bytes", 1ll << 30, 1 << 20, 1ll << 50));
  c.spool.segment_bytes =
      static_cast<uint64_t>(node.Int("segment_bytes", 16 << 20, 64 << 10, 1ll << 32));
  if (c.spool.max_bytes < 2 * c.spool.segment_bytes) {
    node.Error("max_bytes", "must hold at least two segments (2 x segment_bytes = " +
                                std::to_string(2 * c.spool.segment_bytes) + ")");
  }
  std::string policy = node.String("full_policy", "block");
  if (policy != "block" && policy != "drop_oldest") {
    node.Error("full_policy", "must be block or drop_oldest");
  }
  c.spool.full_policy = policy == "drop_oldest" ? spool::SpoolConfig::FullPolicy::kDropOldest
                                                : spool::SpoolConfig::FullPolicy::kBlock;
  c.sync_interval_ms = static_cast<int>(node.Int("sync_interval_ms", 100, 1, 60000));
  node.Finish();
}

// Appends `source` to `list` and returns its name (for the duplicate check).
template <typename Config>
std::string Add(std::vector<Config>& list, Config source) {
  list.push_back(std::move(source));
  return list.back().name;
}

// One entry of `sources:` into its typed list; returns its name ("" when the type is refused).
std::string ReadSource(config::ConfigNode& s, AgentConfig& c) {
  const std::string type = s.String("type", "file");
  if (type == "file") return Add(c.file_sources, ReadFileSource(s));
  if (type == "fim") return Add(c.fim_sources, ReadFimSource(s, c.data_dir));
  if (type == "evtx") {
#ifdef TRIPLINE_WITHOUT_EVTX
    s.Error("type", "this build has no libevtx: read .evtx exports with a winevent source");
#endif
    return Add(c.evtx_sources, ReadEvtxSource(s));
  }
  if (type == "winevent") {
#ifndef _WIN32
    s.Error("type", "winevent sources need the Windows agent (live event logs exist only "
                    "on Windows; use type evtx for exported .evtx files)");
#endif
    return Add(c.winevent_sources, ReadWineventSource(s));
  }
#ifdef _WIN32
  if (type == "process" || type == "service" || type == "network") {
    s.Error("type", "'" + type + "' sources are for Linux hosts; on Windows process starts, " +
                        "services and connections come from the Sysmon and Security channels");
    return "";
  }
#else
  if (type == "process") return Add(c.process_sources, ReadProcessSource(s));
  if (type == "service") return Add(c.service_sources, ReadServiceSource(s));
  if (type == "network") return Add(c.network_sources, ReadNetworkSource(s));
#endif
  s.Error("type", "unknown source type '" + type +
                      "' (file, fim, evtx, winevent, process, service, network)");
  return "";
}

void ReadSources(config::ConfigNode& root, AgentConfig& c) {
  auto sources = root.ChildList("sources");
  if (sources.empty()) root.Error("sources", "at least one source is required");
  std::set<std::string> names;
  for (auto& s : sources) {
    std::string name = ReadSource(s, c);
    if (!name.empty() && !names.insert(name).second) {
      s.Error("name", "duplicate source name '" + name + "'");
    }
  }
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  config::ConfigErrors errors(path);
  // A config anyone can rewrite is a way to make the agent read or send anything: refused.
  if (absl::Status st = config::CheckFileSafety(path, config::FileRole::kConfig, nullptr);
      !st.ok() && !absl::IsNotFound(st)) {
    return absl::InvalidArgumentError(std::string(st.message()) + "\n");
  }
  YAML::Node root_yaml = config::LoadYamlFile(path, &errors);
  AgentConfig c;
  if (errors.empty()) {
    config::ConfigNode root(&errors, root_yaml, "");
    config::ConfigNode agent = root.Child("agent");
    c.agent_id = agent.String("id", platform::HostName());
    c.host_name = agent.String("host_name", platform::HostName());
    c.exchange_build = agent.String("exchange_build");
#ifdef _WIN32
    // Beside the default config: %ProgramData%\Tripline\data.
    c.data_dir = agent.String("data_dir", windows::DefaultDataDir());
#else
    c.data_dir = agent.RequiredString("data_dir");
#endif
    c.poll_interval_ms = static_cast<int>(agent.Int("poll_interval_ms", 100, 1, 60000));
    c.shutdown_timeout_ms = static_cast<int>(agent.Int("shutdown_timeout_ms", 5000, 0, 600000));
    agent.Finish();

    config::ConfigNode kafka = root.Child("kafka");
    c.kafka = kafka::ReadKafkaSettings(kafka);
    c.topic = kafka.String("topic", c.topic);
    kafka.Finish();

    config::ConfigNode spool = root.Child("spool");
    ReadSpool(spool, c);

    ReadSources(root, c);

    config::ConfigNode metrics = root.Child("metrics");
    c.metrics_listen = metrics.String("listen", "127.0.0.1:9464");
    metrics.Finish();

    if (root.Has("fleet")) {
#ifdef _WIN32
      root.Error("fleet", "the Windows agent has no fleet client yet (no gRPC in its build)");
#else
      config::ConfigNode fleet = root.Child("fleet");
      c.fleet = ReadFleetClientConfig(fleet, c.agent_id);
#endif
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
  c.warnings = errors.warnings();
  return c;
}

}  // namespace tripline::agent
