#include "common/metrics/metrics_server.h"

#include <charconv>

#include <atomic>
#include <exception>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/metrics/http_session.h"
#include "common/metrics/text_format.h"

namespace tripline::metrics {

namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::string_view HealthName(HealthState state) {
  switch (state) {
    case HealthState::kOk:
      return "ok";
    case HealthState::kDegraded:
      return "degraded";
    case HealthState::kFailed:
      return "failed";
  }
  return "failed";
}

void AppendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

HttpResponse TextResponse(http::status status, std::string_view content_type, std::string body) {
  HttpResponse response{status, 11};
  // Beast 1.74 takes boost::string_view, not std::string_view.
  response.set(http::field::content_type,
               boost::beast::string_view(content_type.data(), content_type.size()));
  response.body() = std::move(body);
  return response;
}

}  // namespace

class MetricsServer::Impl final : public HttpSessionOwner {
 public:
  Impl(MetricsServerOptions options, const Registry& registry, HealthFn health)
      : options_(std::move(options)), registry_(registry), health_(std::move(health)) {
    limits_.max_header_bytes = options_.max_header_bytes;
    limits_.io_timeout = options_.io_timeout;
  }

  absl::Status Start();
  void Stop();
  uint16_t port() const { return port_; }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

  HttpResponse Handle(const HttpRequest& request) override;
  void SessionClosed(HttpSession* session) override { sessions_.erase(session); }

 private:
  absl::StatusOr<tcp::endpoint> Resolve();
  void DoAccept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);
  HttpResponse HealthResponse();

  const MetricsServerOptions options_;
  const Registry& registry_;
  const HealthFn health_;
  HttpSessionLimits limits_;
  std::atomic<uint64_t> rejected_{0};
  // I/O thread only. Declared before io_ so that handlers destroyed with io_ can still erase.
  std::unordered_set<HttpSession*> sessions_;
  net::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  net::steady_timer retry_timer_{io_};  // backs off accept errors such as EMFILE
  std::thread thread_;
  uint16_t port_ = 0;
  bool started_ = false;
};

absl::StatusOr<tcp::endpoint> MetricsServer::Impl::Resolve() {
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (!ec) {
    return tcp::endpoint(address, options_.port);
  }
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                  tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError("metrics server: cannot resolve host \"" + options_.host +
                                      "\": " + (ec ? ec.message() : "no address"));
  }
  return results.begin()->endpoint();
}

absl::Status MetricsServer::Impl::Start() {
  if (started_) {
    return absl::FailedPreconditionError("metrics server: Start() called twice");
  }
  TRIPLINE_ASSIGN_OR_RETURN(tcp::endpoint endpoint, Resolve());
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  boost::system::error_code ec;
  std::string_view step = "open";
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    // Lets a restarted process rebind past TIME_WAIT; on Linux it does not let two sockets
    // listen on one port.
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    step = "bind";
    acceptor_.bind(endpoint, ec);
  }
  if (!ec) {
    step = "listen on";
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
  }
  if (!ec) {
    port_ = acceptor_.local_endpoint(ec).port();
  }
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    port_ = 0;
    return absl::UnavailableError("metrics server: cannot " + std::string(step) + " " + where +
                                  ": " + ec.message());
  }
  started_ = true;
  DoAccept();
  thread_ = std::thread([this] { io_.run(); });
  return absl::OkStatus();
}

void MetricsServer::Impl::Stop() {
  if (!thread_.joinable()) {
    return;
  }
  net::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
    // Cancel() does not destroy a session synchronously, but copy anyway: the set is ours.
    std::vector<HttpSession*> open(sessions_.begin(), sessions_.end());
    for (HttpSession* session : open) {
      session->Cancel();
    }
  });
  // run() returns once the aborted handlers have run and every session is gone.
  thread_.join();
}

void MetricsServer::Impl::DoAccept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void MetricsServer::Impl::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) {
    return;  // stopping; `socket` closes as it goes out of scope
  }
  if (ec) {
    // Out of descriptors or similar: wait a little rather than spin on accept.
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([this](boost::system::error_code timer_ec) {
      if (!timer_ec && acceptor_.is_open()) {
        DoAccept();
      }
    });
    return;
  }
  if (sessions_.size() >= options_.max_connections) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), limits_, *this);
    sessions_.insert(session.get());
    session->Run();
  }
  DoAccept();
}

HttpResponse MetricsServer::Impl::HealthResponse() {
  Health health = health_ ? health_() : Health{};
  std::string body = "{\"status\":";
  AppendJsonString(HealthName(health.state), body);
  body += ",\"details\":";
  AppendJsonString(health.details, body);
  body += "}\n";
  auto status = health.state == HealthState::kFailed ? http::status::service_unavailable
                                                     : http::status::ok;
  return TextResponse(status, "application/json", std::move(body));
}

HttpResponse MetricsServer::Impl::Handle(const HttpRequest& request) {
  if (request.method() != http::verb::get) {
    HttpResponse response = TextResponse(http::status::method_not_allowed,
                                         "text/plain; charset=utf-8", "method not allowed\n");
    response.set(http::field::allow, "GET");
    return response;
  }
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  try {
    if (target == "/metrics") {
      return TextResponse(http::status::ok, kTextContentType, registry_.Render());
    }
    if (target == "/health") {
      return HealthResponse();
    }
  } catch (const std::exception& e) {
    // A GaugeFn or the health callback broke its contract; answer rather than kill the thread.
    return TextResponse(http::status::internal_server_error, "text/plain; charset=utf-8",
                        std::string("internal error: ") + e.what() + "\n");
  }
  return TextResponse(http::status::not_found, "text/plain; charset=utf-8", "not found\n");
}

MetricsServer::MetricsServer(MetricsServerOptions options, const Registry& registry,
                             HealthFn health)
    : impl_(std::make_unique<Impl>(std::move(options), registry, std::move(health))) {}

MetricsServer::~MetricsServer() { Stop(); }

absl::Status MetricsServer::Start() { return impl_->Start(); }

void MetricsServer::Stop() { impl_->Stop(); }

uint16_t MetricsServer::port() const { return impl_->port(); }

uint64_t MetricsServer::rejected_connections() const { return impl_->rejected(); }

absl::StatusOr<std::unique_ptr<MetricsServer>> StartMetricsServer(const std::string& what,
                                                                  const std::string& listen,
                                                                  const Registry& registry,
                                                                  HealthFn health) {
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    auto [ptr, ec] = std::from_chars(listen.data() + colon + 1, listen.data() + listen.size(), port);
    if (ec != std::errc() || ptr != listen.data() + listen.size()) port = -1;
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(what + ": '" + listen + "' is not host:port");
  }
  MetricsServerOptions options;
  options.host = listen.substr(0, colon);
  options.port = static_cast<uint16_t>(port);
  auto server = std::make_unique<MetricsServer>(options, registry, std::move(health));
  TRIPLINE_RETURN_IF_ERROR(server->Start());
  return server;
}

}  // namespace tripline::metrics
