#include "common/metrics/http_session.h"

#include <utility>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace tripline::metrics {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

HttpSession::HttpSession(net::ip::tcp::socket socket, const HttpSessionLimits& limits,
                         HttpSessionOwner& owner)
    : stream_(std::move(socket)), limits_(limits), owner_(owner) {}

HttpSession::~HttpSession() { owner_.SessionClosed(this); }

void HttpSession::Run() { DoRead(); }

void HttpSession::Cancel() { Close(); }

void HttpSession::DoRead() {
  // A fresh parser per request: limits apply to each message, not to the connection.
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  stream_.expires_after(limits_.io_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                     self->OnRead(ec);
                   });
}

void HttpSession::OnRead(beast::error_code ec) {
  if (closed_) {
    return;
  }
  const unsigned version = parser_->get().version() == 10 ? 10 : 11;
  if (ec == http::error::header_limit) {
    SendError(http::status::request_header_fields_too_large, version);
    return;
  }
  if (ec == http::error::body_limit) {
    SendError(http::status::payload_too_large, version);
    return;
  }
  if (ec && ec != http::error::end_of_stream &&
      ec.category() == make_error_code(http::error::bad_target).category()) {
    SendError(http::status::bad_request, version);
    return;
  }
  if (ec) {
    // Peer closed, timed out, reset, or the server cancelled us: nothing to answer.
    Close();
    return;
  }
  HttpRequest request = parser_->release();
  HttpResponse response = owner_.Handle(request);
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  DoWrite(std::move(response));
}

void HttpSession::SendError(http::status status, unsigned version) {
  HttpResponse response{status, version};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::string(http::obsolete_reason(status)) + "\n";
  response.keep_alive(false);
  DoWrite(std::move(response));
}

void HttpSession::DoWrite(HttpResponse response) {
  response_ = std::move(response);
  response_.prepare_payload();
  stream_.expires_after(limits_.io_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t /*bytes*/) {
                      self->OnWrite(ec);
                    });
}

void HttpSession::OnWrite(beast::error_code ec) {
  if (closed_) {
    return;
  }
  if (ec || !response_.keep_alive()) {
    Close();
    return;
  }
  DoRead();
}

void HttpSession::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();  // aborts the pending operation, which also cancels its timeout
}

}  // namespace tripline::metrics
