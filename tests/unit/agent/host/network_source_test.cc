#include "agent/sources/host/network_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/agent/host/host_test_util.h"

namespace tripline::agent {
namespace {

using testing::Collector;
using testing::PollUntil;

// A socket closed at destruction.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

uint16_t LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                                   : ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

// A loopback listener on an ephemeral port (IPv4 or IPv6); non-blocking, so that accept() never
// hangs a test whose connect failed.
int Listen(int family) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof(*a);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int Connect(int family, uint16_t port) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons(port);
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    a->sin6_port = htons(port);
    len = sizeof(*a);
  }
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::vector<const v1::Event*> Find(const Collector& out, const std::string& direction,
                                   uint16_t local_port, uint16_t remote_port) {
  std::vector<const v1::Event*> found;
  for (const auto& e : out.events) {
    const auto& n = e.network();
    if (e.has_network() && n.direction() == direction && n.source_port() == local_port &&
        n.destination_port() == remote_port) {
      found.push_back(&e);
    }
  }
  return found;
}

class NetworkSourceTest : public ::testing::Test {
 protected:
  NetworkSourceConfig Config() {
    NetworkSourceConfig c;
    c.scan_interval = std::chrono::milliseconds(20);
    return c;
  }
  // Polls until the source completed `n` more scans.
  void PollScans(NetworkSource& source, Collector& out, uint64_t n) {
    uint64_t target = source.network_counters().scans + n;
    EXPECT_TRUE(PollUntil(source, out, [&] { return source.network_counters().scans >= target; }));
  }
  AgentIdentity identity_ = testing::TestIdentity();
};

TEST_F(NetworkSourceTest, OutboundLoopbackConnectionIsReportedOnceWithItsProcess) {
  Fd listener(Listen(AF_INET));
  ASSERT_GE(listener.fd, 0);
  uint16_t server_port = LocalPort(listener.fd);
  NetworkSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());

  Fd client(Connect(AF_INET, server_port));
  ASSERT_GE(client.fd, 0) << "loopback connect failed";
  Fd accepted(::accept(listener.fd, nullptr, nullptr));
  uint16_t client_port = LocalPort(client.fd);
  Collector out;
  ASSERT_TRUE(PollUntil(source, out, [&] {
    return !Find(out, "outbound", client_port, server_port).empty();
  })) << "no outbound connection " << client_port << " -> " << server_port;
  PollScans(source, out, 3);

  auto found = Find(out, "outbound", client_port, server_port);
  ASSERT_EQ(found.size(), 1u);
  const v1::NetworkConnection& n = found[0]->network();
  EXPECT_EQ(n.transport(), "tcp");
  EXPECT_EQ(n.source_ip(), "127.0.0.1");
  EXPECT_EQ(n.destination_ip(), "127.0.0.1");
  EXPECT_EQ(n.process().pid(), ::getpid());
  EXPECT_EQ(n.process().executable(), testing::SelfExe());
  EXPECT_EQ(n.process().entity_id().size(), 32u);
  EXPECT_EQ(n.user_name(), ::getpwuid(::geteuid())->pw_name);
  EXPECT_EQ(found[0]->source().kind(), v1::Source::KIND_NETWORK);
  // The accepted side's local port is a listening port: inbound, not reported by default.
  EXPECT_TRUE(Find(out, "inbound", client_port, server_port).empty());
  for (const auto& e : out.events) EXPECT_NE(e.network().source_port(), server_port);
}

TEST_F(NetworkSourceTest, InboundAndListenWhenConfigured) {
  NetworkSourceConfig config = Config();
  config.report_inbound = true;
  config.report_listen = true;
  NetworkSource source(config, &identity_);
  ASSERT_TRUE(source.Start("").ok());
  Fd listener(Listen(AF_INET));
  ASSERT_GE(listener.fd, 0);
  uint16_t server_port = LocalPort(listener.fd);
  Fd client(Connect(AF_INET, server_port));
  ASSERT_GE(client.fd, 0) << "loopback connect failed";
  Fd accepted(::accept(listener.fd, nullptr, nullptr));
  uint16_t client_port = LocalPort(client.fd);
  Collector out;
  ASSERT_TRUE(PollUntil(source, out, [&] {
    return !Find(out, "inbound", client_port, server_port).empty() &&
           !Find(out, "listen", 0, server_port).empty() &&
           !Find(out, "outbound", client_port, server_port).empty();
  }));
  const v1::NetworkConnection& in = Find(out, "inbound", client_port, server_port)[0]->network();
  EXPECT_EQ(in.source_ip(), "127.0.0.1");
  EXPECT_EQ(in.process().pid(), ::getpid());
  EXPECT_EQ(Find(out, "listen", 0, server_port)[0]->network().process().pid(), ::getpid());
}

TEST_F(NetworkSourceTest, Ipv6LoopbackConnection) {
  Fd listener(Listen(AF_INET6));
  if (listener.fd < 0) GTEST_SKIP() << "no IPv6 loopback here";
  uint16_t server_port = LocalPort(listener.fd);
  NetworkSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  Fd client(Connect(AF_INET6, server_port));
  ASSERT_GE(client.fd, 0) << "loopback connect failed";
  uint16_t client_port = LocalPort(client.fd);
  Collector out;
  ASSERT_TRUE(PollUntil(source, out, [&] {
    return !Find(out, "outbound", client_port, server_port).empty();
  }));
  const auto* e = Find(out, "outbound", client_port, server_port)[0];
  EXPECT_EQ(e->network().destination_ip(), "::1");
  EXPECT_EQ(e->network().process().pid(), ::getpid());
  EXPECT_EQ(e->source().path(), "/proc/net/tcp6");
}

TEST_F(NetworkSourceTest, ExistingConnectionsAreBaselineUnlessAskedAndNumbersResume) {
  Fd listener(Listen(AF_INET));
  ASSERT_GE(listener.fd, 0);
  uint16_t server_port = LocalPort(listener.fd);
  Fd client(Connect(AF_INET, server_port));
  ASSERT_GE(client.fd, 0) << "loopback connect failed";
  uint16_t client_port = LocalPort(client.fd);

  NetworkSource quiet(Config(), &identity_);
  ASSERT_TRUE(quiet.Start("").ok());
  Collector out;
  PollScans(quiet, out, 2);
  EXPECT_TRUE(Find(out, "outbound", client_port, server_port).empty());

  NetworkSourceConfig config = Config();
  config.report_existing = true;
  NetworkSource loud(config, &identity_);
  ASSERT_TRUE(loud.Start("tripline-network-state v1 some-boot 41\n").ok());
  Collector out2;
  ASSERT_TRUE(PollUntil(loud, out2, [&] {
    return !Find(out2, "outbound", client_port, server_port).empty();
  }));
  EXPECT_EQ(out2.events.front().source().position(), 41u);
  EXPECT_EQ(loud.DurableState(1).substr(0, 26), "tripline-network-state v1 ");
  EXPECT_TRUE(loud.DurableState(1).ends_with(" 42\n")) << loud.DurableState(1);
}

}  // namespace
}  // namespace tripline::agent
