#include "correlator/sinks/splunk_hec/splunk_hec_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tripline::correlator {
namespace {

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(s.find_last_not_of(ws) + 1);
  s.erase(0, s.find_first_not_of(ws));
  return s;
}

// The token from exactly one of token_file / token_env; problems are reported on `node`.
void ReadToken(config::ConfigNode& node, const std::filesystem::path& base, SplunkHecConfig& c) {
  std::string file = Resolve(base, node.String("token_file"));
  std::string env = node.String("token_env");
  if (file.empty() == env.empty()) {
    node.Error(file.empty() ? "token_file" : "token_env",
               "exactly one of token_file and token_env is required");
    return;
  }
  if (!file.empty()) {
    c.token_from = "token_file " + file;
    std::ifstream in(file);
    if (!in) return node.Error("token_file", "cannot read " + file);
    std::stringstream text;
    text << in.rdbuf();
    c.token = Trim(text.str());
  } else {
    c.token_from = "token_env " + env;
    const char* value = std::getenv(env.c_str());
    c.token = Trim(value != nullptr ? value : "");
  }
  if (c.token.empty()) {
    node.Error(file.empty() ? "token_env" : "token_file", c.token_from + " gives an empty token");
  } else if (c.token.find_first_of(" \t\r\n") != std::string::npos) {
    node.Error(file.empty() ? "token_env" : "token_file",
               c.token_from + " holds more than one word (expected the HEC token alone)");
  }
}

}  // namespace

std::optional<SplunkHecConfig> ParseSplunkHecConfig(config::ConfigNode& outputs,
                                                    const std::filesystem::path& base_dir) {
  bool present = outputs.Has("splunk_hec");
  config::ConfigNode node = outputs.Child("splunk_hec");
  if (!present) return std::nullopt;
  SplunkHecConfig c;
  c.url = node.RequiredString("url");
  if (!c.url.empty() && c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
    node.Error("url", "must start with http:// or https://");
  }
  ReadToken(node, base_dir, c);
  c.index = node.String("index");
  c.sourcetype = node.String("sourcetype", c.sourcetype);
  c.source = node.String("source", c.source);
  c.host = node.String("host");
  c.batch_max_bytes = static_cast<size_t>(
      node.Int("batch_max_bytes", static_cast<int64_t>(c.batch_max_bytes), 1024, 100'000'000));
  c.ack = node.Bool("ack", c.ack);
  c.ack_timeout = std::chrono::milliseconds(node.Int("ack_timeout_ms", 60'000, 100, 3'600'000));
  c.ca_file = Resolve(base_dir, node.String("ca_file"));
  c.client_cert_file = Resolve(base_dir, node.String("client_cert_file"));
  c.client_key_file = Resolve(base_dir, node.String("client_key_file"));
  if (c.client_cert_file.empty() != c.client_key_file.empty()) {
    node.Error(c.client_cert_file.empty() ? "client_key_file" : "client_cert_file",
               "client_cert_file and client_key_file go together");
  }
  c.tls_verify = node.Bool("tls_verify", c.tls_verify);
  c.timeout = std::chrono::milliseconds(node.Int("timeout_ms", 10'000, 100, 600'000));
  if (c.sourcetype.empty()) node.Error("sourcetype", "must not be empty");
  node.Finish();
  return c;
}

}  // namespace tripline::correlator
