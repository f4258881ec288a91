// The syslog sink against an in-process TCP receiver: octet-counted frames, an error while the
// receiver is down, and after a lost connection the last confirmed batch sent again.
#include "correlator/sinks/syslog/syslog_sink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "tests/support/process.h"
#include "tests/unit/correlator/sinks/syslog/test_alert.h"

namespace tripline::correlator {
namespace {

using namespace std::chrono_literals;

// Accepts connections one after the other on 127.0.0.1 (port 0) and records what each carried.
// With `close_after` > 0 the first connection is closed by the receiver once that many bytes
// arrived (a receiver that went away).
class Receiver {
 public:
  explicit Receiver(size_t close_after = 0) : close_after_(close_after) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~Receiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> connections() {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_;
  }
  // Connections the receiver has closed (its end).
  size_t closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  void Run() {
    for (int n = 0;; ++n) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        connections_.emplace_back();
      }
      char buf[4096];
      for (;;) {
        const size_t limit = n == 0 && close_after_ > 0 ? close_after_ - Size(n) : sizeof buf;
        ssize_t got = ::read(c, buf, std::min(limit, sizeof buf));
        if (got <= 0) break;
        std::lock_guard<std::mutex> lock(mu_);
        connections_[n].append(buf, static_cast<size_t>(got));
        if (n == 0 && close_after_ > 0 && connections_[n].size() >= close_after_) break;
      }
      ::close(c);
      std::lock_guard<std::mutex> lock(mu_);
      ++closed_;
    }
  }
  size_t Size(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    return connections_[n].size();
  }

  size_t close_after_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> connections_;
  size_t closed_ = 0;
};

SyslogSinkConfig Config(uint16_t port) {
  SyslogSinkConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  c.hostname = "corr1";
  c.timeout_ms = 5000;
  return c;
}

v1::Alert Numbered(int i) {
  v1::Alert a = testing::HostileAlert();
  a.set_alert_id("alert-" + std::to_string(i));
  return a;
}

TEST(SyslogSink, SendsOneOctetCountedFramePerAlert) {
  Receiver r;
  auto sink = SyslogSink::Create(Config(r.port()), "9.9.9");
  ASSERT_TRUE(sink.ok()) << sink.status();
  std::string want;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*sink)->Write(Numbered(i), "{}").ok());
    want += (*sink)->Frame(Numbered(i));
  }
  ASSERT_TRUE((*sink)->Flush(5s).ok());
  EXPECT_EQ((*sink)->sent(), 3u);
  // Acknowledged by the receiver's TCP: the bytes are there to be read, in order.
  ASSERT_TRUE(tripline::testing::WaitUntil(5s, [&] {
    auto c = r.connections();
    return c.size() == 1 && c[0].size() == want.size();
  }));
  EXPECT_EQ(r.connections()[0], want);
  const std::string frame = (*sink)->Frame(Numbered(0));
  const size_t sp = frame.find(' ');
  EXPECT_EQ(std::stoul(frame.substr(0, sp)), frame.size() - sp - 1);
  EXPECT_EQ(frame.substr(sp + 1, 33), "<162>1 2021-03-05T03:06:29.500Z c");
  EXPECT_NE(frame.find(" corr1 tripline-correlator " + std::to_string(::getpid()) +
                       " alert - CEF:0|Tripline|Tripline Correlator|9.9.9|rule-1|"),
            std::string::npos)
      << frame;
}

TEST(SyslogSink, ReceiverDownFailsTheFlushAndNothingIsCountedSent) {
  uint16_t port;
  { Receiver gone; port = gone.port(); }
  auto sink = SyslogSink::Create(Config(port));
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(Numbered(1), "{}").ok());
  absl::Status st = (*sink)->Flush(5s);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ((*sink)->sent(), 0u);
  // An empty flush after a failure has nothing to confirm: the dispatcher writes the batch again.
  EXPECT_TRUE((*sink)->Flush(5s).ok());
}

TEST(SyslogSink, AfterALostConnectionTheLastConfirmedBatchIsSentAgain) {
  auto probe = SyslogSink::Create(Config(1));
  const std::string first = (*probe)->Frame(Numbered(1));
  const std::string second = (*probe)->Frame(Numbered(2));
  Receiver r(first.size());  // takes the first batch, then goes away
  auto sink = SyslogSink::Create(Config(r.port()));
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(Numbered(1), "{}").ok());
  ASSERT_TRUE((*sink)->Flush(5s).ok());
  // The flush returns once the bytes are written, not read: the second batch must go out after
  // the receiver went away (else it sits unread in the dying connection, as TCP syslog allows).
  ASSERT_TRUE(tripline::testing::WaitUntil(5s, [&] { return r.closed() == 1; }));
  // Like the dispatcher: write the batch and flush, again after a failure (the first attempt may
  // find out about the lost connection only when its bytes are refused).
  bool delivered = false;
  for (int attempt = 0; attempt < 3 && !delivered; ++attempt) {
    ASSERT_TRUE((*sink)->Write(Numbered(2), "{}").ok());
    delivered = (*sink)->Flush(5s).ok();
  }
  ASSERT_TRUE(delivered);
  EXPECT_EQ((*sink)->reconnects(), 1u);
  EXPECT_EQ((*sink)->resent(), 1u);
  EXPECT_EQ((*sink)->sent(), 2u);
  ASSERT_TRUE(tripline::testing::WaitUntil(5s, [&] {
    auto c = r.connections();
    return c.size() == 2 && c[1].size() == first.size() + second.size();
  }));
  EXPECT_EQ(r.connections()[0], first);
  EXPECT_EQ(r.connections()[1], first + second);
}

}  // namespace
}  // namespace tripline::correlator
