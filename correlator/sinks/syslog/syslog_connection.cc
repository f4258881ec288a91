#include "correlator/sinks/syslog/syslog_connection.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/ioctl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <thread>

namespace tripline::correlator {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

absl::Status Failed(const std::string& what, const boost::system::error_code& ec) {
  return absl::UnavailableError(what + ": " + ec.message());
}

// Server name checks: the certificate must name `host` (a DNS name or an IP address); SNI is
// sent for names only.
absl::Status ConfigureVerification(SSL* ssl, const std::string& host, bool verify) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  const bool is_ip = !ec;
  if (!is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return absl::InternalError("TLS: cannot set the server name " + host);
  }
  if (!verify) return absl::OkStatus();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1) return absl::InternalError("TLS: cannot verify against " + host);
  return absl::OkStatus();
}

}  // namespace

SyslogConnection::~SyslogConnection() {
  boost::system::error_code ec;
  Socket().close(ec);
}

tcp::socket& SyslogConnection::Socket() { return tls_ ? tls_->next_layer() : *tcp_; }

bool SyslogConnection::RunUntil(const bool& done, Clock::time_point deadline) {
  while (!done) {
    if (Clock::now() >= deadline) return false;
    if (io_.stopped()) io_.restart();
    io_.run_one_until(deadline);
  }
  return true;
}

absl::StatusOr<std::unique_ptr<SyslogConnection>> SyslogConnection::Open(
    const std::string& host, uint16_t port, asio::ssl::context* tls, bool verify,
    Clock::time_point deadline) {
  std::unique_ptr<SyslogConnection> c(new SyslogConnection());
  const std::string where = host + ":" + std::to_string(port);
  if (tls != nullptr) {
    c->tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(c->io_, *tls);
    TRIPLINE_RETURN_IF_ERROR(ConfigureVerification(c->tls_->native_handle(), host, verify));
  } else {
    c->tcp_ = std::make_unique<tcp::socket>(c->io_);
  }
  tcp::resolver resolver(c->io_);
  bool done = false;
  boost::system::error_code ec;
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(host, std::to_string(port), [&](auto e, auto results) {
    ec = e;
    endpoints = std::move(results);
    done = true;
  });
  if (!c->RunUntil(done, deadline)) return absl::DeadlineExceededError("resolving " + where);
  if (ec) return Failed("resolving " + where, ec);
  done = false;
  asio::async_connect(c->Socket(), endpoints, [&](auto e, const auto&) {
    ec = e;
    done = true;
  });
  if (!c->RunUntil(done, deadline)) return absl::DeadlineExceededError("connecting to " + where);
  if (ec) return Failed("connecting to " + where, ec);
  c->Socket().set_option(asio::socket_base::keep_alive(true), ec);
  if (c->tls_) {
    done = false;
    c->tls_->async_handshake(asio::ssl::stream_base::client, [&](auto e) {
      ec = e;
      done = true;
    });
    if (!c->RunUntil(done, deadline)) {
      return absl::DeadlineExceededError("TLS handshake with " + where);
    }
    if (ec) return Failed("TLS handshake with " + where, ec);
  }
  c->StartReading();
  return c;
}

void SyslogConnection::StartReading() {
  auto on_read = [this](const boost::system::error_code& ec, size_t) {
    if (ec) {
      closed_by_peer_ = true;
      peer_eof_ = ec == asio::error::eof;
      close_reason_ = ec == asio::error::eof ? "closed by the receiver" : ec.message();
      return;
    }
    StartReading();  // data from a syslog receiver means nothing: discard it
  };
  if (tls_) {
    tls_->async_read_some(asio::buffer(read_buffer_), on_read);
  } else {
    tcp_->async_read_some(asio::buffer(read_buffer_), on_read);
  }
}

absl::Status SyslogConnection::Check() {
  if (io_.stopped()) io_.restart();
  io_.poll();
  if (closed_by_peer_) return absl::UnavailableError("connection " + close_reason_);
  const int state = TcpState();
  if (state != TCP_ESTABLISHED) {
    return absl::UnavailableError("connection no longer established (TCP state " +
                                  std::to_string(state) + ")");
  }
  return absl::OkStatus();
}

int SyslogConnection::TcpState() {
  struct tcp_info info {};
  socklen_t len = sizeof info;
  if (::getsockopt(Socket().native_handle(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  return info.tcpi_state;
}

bool SyslogConnection::Alive() { return Check().ok(); }

absl::Status SyslogConnection::Send(std::string_view data, Clock::time_point deadline) {
  TRIPLINE_RETURN_IF_ERROR(Check());
  bool done = false;
  boost::system::error_code ec;
  auto on_write = [&](const boost::system::error_code& e, size_t) {
    ec = e;
    done = true;
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(data.data(), data.size()), on_write);
  } else {
    asio::async_write(*tcp_, asio::buffer(data.data(), data.size()), on_write);
  }
  if (!RunUntil(done, deadline)) return absl::DeadlineExceededError("writing: timed out");
  if (ec) return Failed("writing", ec);
  return absl::OkStatus();
}

absl::Status SyslogConnection::WaitAcknowledged(Clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (io_.stopped()) io_.restart();
    io_.poll();
    // A reset means the receiver's kernel discarded bytes (ours, unread, or later ones): fail.
    // A clean close (FIN) with every byte acknowledged means the receiver read them all (Linux
    // resets instead of closing cleanly when unread bytes remain), so that still counts.
    if (closed_by_peer_ && !peer_eof_) {
      return absl::UnavailableError("connection " + close_reason_);
    }
    const int state = TcpState();
    if (state != TCP_ESTABLISHED && state != TCP_CLOSE_WAIT) {
      return absl::UnavailableError("connection lost (TCP state " + std::to_string(state) + ")");
    }
    int unacked = 0;
    if (::ioctl(Socket().native_handle(), SIOCOUTQ, &unacked) != 0) {
      return absl::UnavailableError(std::string("SIOCOUTQ: ") + std::strerror(errno));
    }
    if (unacked == 0) return absl::OkStatus();
    if (closed_by_peer_) {
      return absl::UnavailableError("connection closed by the receiver with " +
                                    std::to_string(unacked) + " bytes unacknowledged");
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      return absl::DeadlineExceededError("the receiver did not acknowledge " +
                                         std::to_string(unacked) + " bytes in time");
    }
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

}  // namespace tripline::correlator
