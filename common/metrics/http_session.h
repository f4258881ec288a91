#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

// Internal to MetricsServer: one accepted HTTP/1.1 connection. Not for use elsewhere; it lives in
// its own file only to keep metrics_server.cc short and to keep Beast out of the public header.
namespace tripline::metrics {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

class HttpSession;

// What a session needs from the server that accepted it. Implemented by the server; every call
// happens on the server's I/O thread.
class HttpSessionOwner {
 public:
  virtual ~HttpSessionOwner() = default;
  // Builds the response to a complete, well-formed request. The session sets keep-alive.
  virtual HttpResponse Handle(const HttpRequest& request) = 0;
  // The session is being destroyed; forget it.
  virtual void SessionClosed(HttpSession* session) = 0;
};

struct HttpSessionLimits {
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 8 * 1024;
  // Bounds each read (also the idle time of a keep-alive connection) and each write.
  std::chrono::milliseconds io_timeout{10'000};
};

// Reads requests one at a time and writes each response before reading the next (no
// pipelining concurrency), until the peer closes, asks for close, times out or errs, or the
// server calls Cancel(). A header over the limit gets 431, a body over the limit 413, a
// malformed request 400; each then closes the connection.
//
// Lifecycle and ownership: created by the server for an accepted socket and kept alive by the
// shared_ptr each pending handler holds; it destroys itself (and tells the owner) when its last
// operation completes. The owner must outlive every session: the server joins its I/O thread,
// which ends only after every session is gone.
// Threads: every method runs on the server's single I/O thread.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpSessionLimits& limits,
              HttpSessionOwner& owner);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Starts reading the first request.
  void Run();
  // Closes the socket; pending operations complete with an error and the session ends.
  void Cancel();

 private:
  void DoRead();
  void OnRead(boost::beast::error_code ec);
  void SendError(boost::beast::http::status status, unsigned version);
  void DoWrite(HttpResponse response);
  void OnWrite(boost::beast::error_code ec);
  void Close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpResponse response_;
  const HttpSessionLimits limits_;
  HttpSessionOwner& owner_;
  bool closed_ = false;
};

}  // namespace tripline::metrics
