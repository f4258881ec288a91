#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline::correlator {

// One TCP or TLS connection to a syslog receiver, used with blocking calls that each take a
// deadline (Asio operations run on a private io_context until they finish or the deadline
// passes). A connection that failed or timed out is not reused: the owner drops it and opens a
// new one.
//
// A read is kept outstanding on the connection for its whole life: a syslog receiver never
// sends application data, so its completion means the receiver closed (EOF) or reset the
// connection; it also consumes what TLS itself sends (TLS 1.3 session tickets), so our receive
// queue never holds unread bytes (closing with unread bytes would reset the connection).
//
// Thread-compatible: one thread (the dispatcher's) at a time.
class SyslogConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // Resolves, connects and, with `tls` (not owned, outlives the connection), handshakes,
  // verifying the server's certificate against `host` when `verify`.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SyslogConnection>> Open(
      const std::string& host, uint16_t port, boost::asio::ssl::context* tls, bool verify,
      Clock::time_point deadline);
  ~SyslogConnection();

  // Writes all of `data` into the connection (the kernel's send queue).
  [[nodiscard]] absl::Status Send(std::string_view data, Clock::time_point deadline);
  // Returns OK once the kernel's send queue is empty (ioctl SIOCOUTQ == 0): the receiver's TCP
  // acknowledged every byte written so far, and the connection was not reset. That is as far
  // as TCP can confirm: not that the receiving program read or stored the bytes.
  [[nodiscard]] absl::Status WaitAcknowledged(Clock::time_point deadline);
  // False once the receiver closed or reset the connection (checked without blocking).
  bool Alive();

 private:
  SyslogConnection() = default;
  // Runs the io_context until `done` or the deadline; false on timeout.
  bool RunUntil(const bool& done, Clock::time_point deadline);
  boost::asio::ip::tcp::socket& Socket();
  void StartReading();
  // Processes completed reads; then OK or why the connection is unusable.
  absl::Status Check();
  int TcpState();  // TCP_ESTABLISHED, TCP_CLOSE_WAIT, ...; -1 when unknown

  boost::asio::io_context io_;  // first: outlives the sockets below
  std::unique_ptr<boost::asio::ip::tcp::socket> tcp_;  // plain TCP
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;  // or TLS
  std::array<char, 4096> read_buffer_{};
  bool closed_by_peer_ = false;  // the outstanding read completed: EOF or an error
  bool peer_eof_ = false;        // ... and it was a clean close
  std::string close_reason_;
};

}  // namespace tripline::correlator
