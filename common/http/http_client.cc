#include "common/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include <spdlog/spdlog.h>

namespace tripline::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
};

absl::StatusOr<Url> ParseBaseUrl(const std::string& url) {
  Url out;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return absl::InvalidArgumentError("url must start with http:// or https://: " + url);
  }
  rest = rest.substr(0, rest.find('/'));
  size_t colon = rest.rfind(':');
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    size_t close = rest.find(']');
    if (close == std::string::npos) return absl::InvalidArgumentError("bad IPv6 host in " + url);
    out.host = rest.substr(1, close - 1);
    colon = rest.find(':', close);
  } else {
    out.host = rest.substr(0, colon);
  }
  out.port = colon == std::string::npos ? (out.tls ? "443" : "80") : rest.substr(colon + 1);
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError("bad host or port in url: " + url);
  }
  return out;
}

// Runs the io_context until the pending operation completes. Each operation has its own
// deadline through beast::tcp_stream::expires_after.
void RunPending(asio::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

// One receiver connection; Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <typename Stream>
class StreamClient final : public HttpClient {
 public:
  StreamClient(HttpClientOptions options, Url url, std::optional<asio::ssl::context> ssl)
      : HttpClient(std::move(options)), url_(std::move(url)), ssl_(std::move(ssl)) {}

  absl::StatusOr<HttpResponse> Request(
      const std::string& method, const std::string& target, const std::string& body,
      const std::map<std::string, std::string>& extra_headers) override {
    bool reused = stream_.has_value();
    auto result = Attempt(method, target, body, extra_headers);
    // A kept-alive connection the receiver closed meanwhile fails on first use: one fresh try.
    if (!result.ok() && reused) result = Attempt(method, target, body, extra_headers);
    return result;
  }

 private:
  absl::StatusOr<HttpResponse> Attempt(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       const std::map<std::string, std::string>& extra_headers) {
    if (!stream_) {
      if (auto st = Connect(); !st.ok()) {
        stream_.reset();
        return st;
      }
    }
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, url_.host + ":" + url_.port);
    req.set(bhttp::field::user_agent, "tripline");
    for (const auto& [k, v] : options_.headers) req.set(k, v);
    for (const auto& [k, v] : extra_headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();

    beast::error_code ec;
    Lowest().expires_after(options_.timeout);
    bhttp::async_write(*stream_, req, [&](beast::error_code e, size_t) { ec = e; });
    RunPending(ioc_);
    if (ec) return Fail("write", ec);

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    Lowest().expires_after(options_.timeout);
    bhttp::async_read(*stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    RunPending(ioc_);
    if (ec) return Fail("read", ec);

    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) stream_.reset();
    return out;
  }

  absl::Status Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(url_.host, url_.port, ec);
    if (ec) return Fail("resolve", ec);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.emplace(ioc_);
    } else {
      stream_.emplace(ioc_, *ssl_);
      // SNI, and the name checked against the certificate.
      SSL_set_tlsext_host_name(stream_->native_handle(), url_.host.c_str());
      if (options_.verify) stream_->set_verify_callback(asio::ssl::host_name_verification(url_.host));
    }
    buffer_.clear();
    Lowest().expires_after(options_.timeout);
    Lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunPending(ioc_);
    if (ec) return Fail("connect", ec);
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      Lowest().expires_after(options_.timeout);
      stream_->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
      RunPending(ioc_);
      if (ec) return Fail("TLS handshake", ec);
    }
    return absl::OkStatus();
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(*stream_); }

  absl::Status Fail(const char* what, const beast::error_code& ec) {
    stream_.reset();
    return absl::UnavailableError(std::string(what) + " " + url_.host + ":" + url_.port + ": " +
                                  ec.message());
  }

  Url url_;
  std::optional<asio::ssl::context> ssl_;
  asio::io_context ioc_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
};

absl::StatusOr<asio::ssl::context> MakeTlsContext(const HttpClientOptions& o) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                  asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (!o.verify) {
    ctx.set_verify_mode(asio::ssl::verify_none);
    spdlog::warn("http: TLS certificate verification is off for {}", o.base_url);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (o.ca_file.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(o.ca_file, ec);
    }
    if (ec) return absl::InvalidArgumentError("ca_file " + o.ca_file + ": " + ec.message());
  }
  if (o.client_cert_file.empty() != o.client_key_file.empty()) {
    return absl::InvalidArgumentError("client_cert_file and client_key_file go together");
  }
  if (!o.client_cert_file.empty()) {
    ctx.use_certificate_chain_file(o.client_cert_file, ec);
    if (ec) return absl::InvalidArgumentError("client_cert_file " + o.client_cert_file + ": " + ec.message());
    ctx.use_private_key_file(o.client_key_file, asio::ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError("client_key_file " + o.client_key_file + ": " + ec.message());
  }
  return ctx;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(HttpClientOptions options) {
  auto url = ParseBaseUrl(options.base_url);
  if (!url.ok()) return url.status();
  if (!url->tls) {
    return std::unique_ptr<HttpClient>(
        new StreamClient<beast::tcp_stream>(std::move(options), *url, std::nullopt));
  }
  auto ctx = MakeTlsContext(options);
  if (!ctx.ok()) return ctx.status();
  return std::unique_ptr<HttpClient>(new StreamClient<beast::ssl_stream<beast::tcp_stream>>(
      std::move(options), *url, std::move(*ctx)));
}

}  // namespace tripline::http
