#include "correlator/sinks/opensearch/bulk_sink_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"

namespace tripline::correlator {
namespace {

std::string Resolve(const std::filesystem::path& base, const std::string& p) {
  if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

// scheme://host[:port][/]: the HTTP client addresses the cluster's root, so a path prefix would
// be silently dropped; say so instead.
void CheckUrl(config::ConfigNode& node, const std::string& url) {
  if (url.empty()) return;  // RequiredString reported it
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    node.Error("url", "must start with http:// or https://");
    return;
  }
  std::string rest = url.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  if (rest.empty() || slash == 0) node.Error("url", "has no host");
  if (slash != std::string::npos && slash + 1 != rest.size()) {
    node.Error("url", "must be scheme://host:port without a path (a path prefix is not supported)");
  }
}

// Index names: lower case, none of the characters Elasticsearch forbids, not starting with - _ +.
void CheckIndex(config::ConfigNode& node, const std::string& index) {
  if (index.empty()) {
    node.Error("index", "must not be empty");
    return;
  }
  if (index.find_first_of("\\/*?\"<>| ,#:") != std::string::npos || index == "." || index == ".." ||
      index.find_first_of("-_+") == 0) {
    node.Error("index", "is not a valid index or data stream name: " + index);
  }
  for (char ch : index) {
    if (ch >= 'A' && ch <= 'Z') {
      node.Error("index", "must be lower case: " + index);
      break;
    }
  }
}

void CheckAuth(config::ConfigNode& node, const BulkSinkConfig& c) {
  bool password = !c.password_file.empty() || !c.password_env.empty();
  if (!c.password_file.empty() && !c.password_env.empty()) {
    node.Error("password_env", "give password_file or password_env, not both");
  }
  if (!c.username.empty() && !password) {
    node.Error("username", "needs password_file or password_env");
  }
  if (c.username.empty() && password) {
    node.Error(c.password_file.empty() ? "password_env" : "password_file", "needs username");
  }
  if (!c.api_key_file.empty() && !c.username.empty()) {
    node.Error("api_key_file", "give username/password or api_key_file, not both");
  }
}

void CheckTls(config::ConfigNode& node, const BulkSinkConfig& c) {
  if (c.client_cert_file.empty() != c.client_key_file.empty()) {
    node.Error(c.client_cert_file.empty() ? "client_key_file" : "client_cert_file",
               "client_cert_file and client_key_file go together");
  }
  if (c.url.rfind("http://", 0) == 0) {
    for (const char* key : {"ca_file", "client_cert_file", "client_key_file"}) {
      if (node.Has(key)) node.Error(key, "applies to an https:// url only");
    }
  }
}

// A secret file's content without the trailing newline an editor leaves. The error names the
// file, never what is in it.
absl::StatusOr<std::string> ReadSecret(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in)
    return absl::InvalidArgumentError(std::string("elasticsearch: cannot read ") + what + " " +
                                      path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty())
    return absl::InvalidArgumentError(std::string("elasticsearch: ") + what + " " + path +
                                      " is empty");
  return s;
}

}  // namespace

absl::StatusOr<std::string> BulkAuthorization(const BulkSinkConfig& c) {
  if (!c.api_key_file.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(std::string key, ReadSecret(c.api_key_file, "api_key_file"));
    return "ApiKey " + key;
  }
  if (c.username.empty()) return std::string();
  std::string password;
  if (!c.password_file.empty()) {
    TRIPLINE_ASSIGN_OR_RETURN(password, ReadSecret(c.password_file, "password_file"));
  } else {
    const char* env = std::getenv(c.password_env.c_str());
    if (env == nullptr || *env == '\0') {
      return absl::InvalidArgumentError("elasticsearch: environment variable " + c.password_env +
                                        " (password_env) is not set");
    }
    password = env;
  }
  return "Basic " + absl::Base64Escape(c.username + ":" + password);
}

BulkSinkConfig ReadBulkSinkConfig(config::ConfigNode node, const std::filesystem::path& base) {
  BulkSinkConfig c;
  c.url = node.RequiredString("url");
  c.index = node.String("index", c.index);
  c.username = node.String("username");
  c.password_file = Resolve(base, node.String("password_file"));
  c.password_env = node.String("password_env");
  c.api_key_file = Resolve(base, node.String("api_key_file"));
  c.ca_file = Resolve(base, node.String("ca_file"));
  c.client_cert_file = Resolve(base, node.String("client_cert_file"));
  c.client_key_file = Resolve(base, node.String("client_key_file"));
  c.tls_verify = node.Bool("tls_verify", c.tls_verify);
  c.timeout = std::chrono::milliseconds(node.Int("timeout_ms", 10'000, 100, 600'000));
  c.batch_max_bytes = static_cast<size_t>(
      node.Int("batch_max_bytes", static_cast<int64_t>(c.batch_max_bytes), 4096, 100LL << 20));
  c.refresh = node.Bool("refresh", c.refresh);
  CheckUrl(node, c.url);
  CheckIndex(node, c.index);
  CheckAuth(node, c);
  CheckTls(node, c);
  node.Finish();
  return c;
}

}  // namespace tripline::correlator
