#include "correlator/sinks/syslog/syslog_config.h"

#include <array>
#include <charconv>

namespace tripline::correlator {
namespace {

constexpr std::array<const char*, 24> kFacilities = {
    "kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

bool PrintableAscii(const std::string& s) {
  for (char ch : s) {
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

// "host:port" or "[v6]:port"; false when malformed.
bool SplitAddress(const std::string& address, std::string* host, uint16_t* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = address.substr(0, colon);
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;  // an IPv6 literal needs brackets
  }
  const std::string p = address.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) return false;
  *host = h;
  *port = static_cast<uint16_t>(value);
  return true;
}

void ReadTls(config::ConfigNode& n, const std::filesystem::path& base, SyslogSinkConfig& c) {
  c.ca_file = Resolve(base, n.String("ca_file"));
  c.client_cert_file = Resolve(base, n.String("client_cert_file"));
  c.client_key_file = Resolve(base, n.String("client_key_file"));
  c.tls_verify = n.Bool("tls_verify", true);
  const bool tls = c.transport == SyslogSinkConfig::Transport::kTls;
  for (const char* key : {"ca_file", "client_cert_file", "client_key_file", "tls_verify"}) {
    if (!tls && n.Has(key)) n.Error(key, "only applies to transport: tls");
  }
  if (c.client_cert_file.empty() != c.client_key_file.empty()) {
    n.Error(c.client_cert_file.empty() ? "client_key_file" : "client_cert_file",
            "client_cert_file and client_key_file go together");
  }
  for (const char* key : {"ca_file", "client_cert_file", "client_key_file"}) {
    std::string path = Resolve(base, n.String(key));
    std::error_code ec;
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) {
      n.Error(key, "no such file: " + path);
    }
  }
}

}  // namespace

int SyslogFacilityCode(const std::string& name) {
  for (size_t i = 0; i < kFacilities.size(); ++i) {
    if (name == kFacilities[i]) return static_cast<int>(i);
  }
  int value = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec == std::errc() && end == name.data() + name.size() && value >= 0 && value <= 23) {
    return value;
  }
  return -1;
}

std::optional<SyslogSinkConfig> ReadSyslogSinkConfig(config::ConfigNode& outputs,
                                                     const std::filesystem::path& base) {
  if (!outputs.Has("syslog")) {
    outputs.Child("syslog");  // marks the key as known
    return std::nullopt;
  }
  config::ConfigNode n = outputs.Child("syslog");
  SyslogSinkConfig c;
  if (!SplitAddress(n.RequiredString("address"), &c.host, &c.port) && n.Has("address")) {
    n.Error("address", "must be host:port (or [ipv6]:port) with a port 1-65535");
  }
  const std::string transport = n.String("transport", "tcp");
  if (transport != "tcp" && transport != "tls") n.Error("transport", "must be tcp or tls");
  if (transport == "tls") c.transport = SyslogSinkConfig::Transport::kTls;
  const std::string format = n.String("format", "cef");
  if (format != "cef" && format != "leef") n.Error("format", "must be cef or leef");
  if (format == "leef") c.format = SyslogSinkConfig::Format::kLeef;
  const std::string facility = n.String("facility", "local4");
  c.facility = SyslogFacilityCode(facility);
  if (c.facility < 0) {
    n.Error("facility", "must be a facility name (local0-7, authpriv, ...) or 0-23");
  }
  c.app_name = n.String("app_name", c.app_name);
  if (c.app_name.empty() || c.app_name.size() > 48 || !PrintableAscii(c.app_name)) {
    n.Error("app_name", "must be 1-48 printable ASCII characters without spaces");
  }
  c.hostname = n.String("hostname");
  if (c.hostname.size() > 255 || !PrintableAscii(c.hostname)) {
    n.Error("hostname", "must be at most 255 printable ASCII characters without spaces");
  }
  ReadTls(n, base, c);
  c.timeout_ms = static_cast<int>(n.Int("timeout_ms", c.timeout_ms, 100, 600000));
  n.Finish();
  return c;
}

}  // namespace tripline::correlator
