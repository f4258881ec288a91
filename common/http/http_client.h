#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace tripline::http {

// Where an HttpClient connects and how. Built by each sink from its own config section.
struct HttpClientOptions {
  // "http://host:port" or "https://host:port" (a path part is ignored; requests give their own).
  std::string base_url;
  // Bounds connect, each write and each read of one request.
  std::chrono::milliseconds timeout{10'000};
  // https only. ca_file empty: the system's trust store. verify=false accepts any certificate
  // (a lab receiver with a self-signed certificate); the client logs that once.
  std::string ca_file;
  std::string client_cert_file;  // mutual TLS: both set or neither
  std::string client_key_file;
  bool verify = true;
  // Sent with every request (Authorization, X-Splunk-Request-Channel, ...).
  std::map<std::string, std::string> headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

// A blocking HTTP/1.1 client that keeps one connection alive to one receiver and reconnects on
// the next request after any error. No redirects, no proxies: a SIEM receiver is addressed
// directly.
//
// Thread-compatible: one thread at a time (each sink owns its client and calls it from the
// dispatcher's thread). Owns its socket; destroying it closes the connection.
class HttpClient {
 public:
  // Fails on a malformed base_url or unreadable TLS files; does not connect.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<HttpClient>> Create(HttpClientOptions options);
  virtual ~HttpClient() = default;

  // Sends one request and reads the whole response. A transport error (refused, reset, timed
  // out, TLS failure) is kUnavailable; any HTTP status, even 5xx, is a response for the caller to
  // judge. `target` is the path and query ("/_bulk?refresh=false").
  [[nodiscard]] virtual absl::StatusOr<HttpResponse> Request(
      const std::string& method, const std::string& target, const std::string& body,
      const std::map<std::string, std::string>& extra_headers = {}) = 0;

  const HttpClientOptions& options() const { return options_; }

 protected:
  explicit HttpClient(HttpClientOptions options) : options_(std::move(options)) {}
  HttpClientOptions options_;
};

}  // namespace tripline::http
