#include "correlator/sinks/syslog/syslog_sink.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>

#include "common/time_util.h"
#include "correlator/sinks/syslog/cef_format.h"
#include "correlator/sinks/syslog/leef_format.h"

namespace tripline::correlator {
namespace {

namespace ssl = boost::asio::ssl;

constexpr size_t kMaxResendBytes = 4 << 20;

std::string LocalHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

absl::StatusOr<std::unique_ptr<ssl::context>> MakeTlsContext(const SyslogSinkConfig& c) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1,
                   ec);
  if (c.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(c.ca_file, ec);
  }
  if (ec) return absl::InvalidArgumentError("syslog: CA " + c.ca_file + ": " + ec.message());
  if (!c.client_cert_file.empty()) {
    ctx->use_certificate_chain_file(c.client_cert_file, ec);
    if (ec) return absl::InvalidArgumentError(c.client_cert_file + ": " + ec.message());
    ctx->use_private_key_file(c.client_key_file, ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError(c.client_key_file + ": " + ec.message());
  }
  ctx->set_verify_mode(c.tls_verify ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SyslogSink>> SyslogSink::Create(const SyslogSinkConfig& config,
                                                               std::string version) {
  if (version.empty()) version = TRIPLINE_VERSION;
  std::unique_ptr<SyslogSink> sink(new SyslogSink(config, std::move(version)));
  if (config.transport == SyslogSinkConfig::Transport::kTls) {
    TRIPLINE_ASSIGN_OR_RETURN(sink->tls_, MakeTlsContext(config));
    if (!config.tls_verify) {
      spdlog::warn("syslog {}:{}: tls_verify is off: any certificate is accepted", config.host,
                   config.port);
    }
  }
  return sink;
}

SyslogSink::SyslogSink(const SyslogSinkConfig& config, std::string version)
    : config_(config), version_(std::move(version)) {
  header_.facility = config.facility;
  header_.hostname = config.hostname.empty() ? LocalHostName() : config.hostname;
  header_.app_name = config.app_name;
  header_.procid = std::to_string(::getpid());
  header_.msgid = "alert";
}

SyslogSink::~SyslogSink() {
  spdlog::info("syslog {}:{}: {} alert(s) sent, {} reconnect(s), {} resent after a reconnect",
               config_.host, config_.port, sent_, reconnects_, resent_);
}

std::string SyslogSink::Frame(const v1::Alert& alert) const {
  const std::string msg = config_.format == SyslogSinkConfig::Format::kLeef
                              ? RenderLeef(alert, version_)
                              : RenderCef(alert, version_);
  const auto& time = alert.has_created_time() ? alert.created_time() : NowTimestamp();
  return OctetCountedFrame(
      Rfc5424Message(header_, SyslogSeverity(alert.severity()), time, msg));
}

absl::Status SyslogSink::Write(const v1::Alert& alert, const std::string&) {
  pending_ += Frame(alert);
  ++pending_count_;
  return absl::OkStatus();
}

absl::Status SyslogSink::Flush(std::chrono::milliseconds timeout) {
  if (pending_count_ == 0) return absl::OkStatus();
  const auto deadline =
      SyslogConnection::Clock::now() +
      std::min(timeout, std::chrono::milliseconds(config_.timeout_ms));
  absl::Status st = Deliver(deadline);
  if (st.ok()) {
    sent_ += pending_count_;
    if (pending_.size() <= kMaxResendBytes) {
      last_batch_ = std::move(pending_);
      last_batch_count_ = pending_count_;
    } else {
      last_batch_.clear();
      last_batch_count_ = 0;
    }
  } else {
    connection_.reset();  // never reuse a connection in an unknown state
    st = absl::Status(st.code(), "syslog " + config_.host + ":" +
                                     std::to_string(config_.port) + ": " +
                                     std::string(st.message()));
  }
  // Either way the batch leaves the buffer: on failure the dispatcher writes it again.
  pending_.clear();
  pending_count_ = 0;
  return st;
}

absl::Status SyslogSink::Deliver(SyslogConnection::Clock::time_point deadline) {
  if (connection_ != nullptr && !connection_->Alive()) {
    spdlog::warn("syslog {}:{}: the connection was lost since the last batch; reconnecting",
                 config_.host, config_.port);
    connection_.reset();
  }
  bool resend = false;
  if (connection_ == nullptr) {
    TRIPLINE_ASSIGN_OR_RETURN(
        connection_, SyslogConnection::Open(config_.host, config_.port, tls_.get(),
                                            config_.tls_verify, deadline));
    resend = connected_before_ && last_batch_count_ > 0;
    if (connected_before_) {
      ++reconnects_;
      spdlog::info("syslog {}:{}: reconnected ({} reconnects); resending the last {} confirmed "
                   "alert(s) first",
                   config_.host, config_.port, reconnects_, resend ? last_batch_count_ : 0);
    }
    connected_before_ = true;
  }
  if (resend) TRIPLINE_RETURN_IF_ERROR(connection_->Send(last_batch_, deadline));
  TRIPLINE_RETURN_IF_ERROR(connection_->Send(pending_, deadline));
  TRIPLINE_RETURN_IF_ERROR(connection_->WaitAcknowledged(deadline));
  if (resend) {
    resent_ += last_batch_count_;
    last_batch_count_ = 0;  // once per lost connection
    last_batch_.clear();
  }
  return absl::OkStatus();
}

}  // namespace tripline::correlator
