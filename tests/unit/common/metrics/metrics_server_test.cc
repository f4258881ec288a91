#include "common/metrics/metrics_server.h"

#include <chrono>
#include <future>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/http_test_client.h"

namespace tripline::metrics {
namespace {

using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;
using testing::TestHttpClient;
using testing::TestResponse;

// A server on an ephemeral loopback port over a small registry, with a health state the test
// sets.
class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Counter* scrapes = *registry_.AddCounter("tripline_test_requests", "Requests.");
    scrapes->Inc(7);
  }

  MetricsServerOptions Options() {
    MetricsServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }

  std::unique_ptr<MetricsServer> StartServer(MetricsServerOptions options) {
    auto server = std::make_unique<MetricsServer>(options, registry_, [this] {
      std::lock_guard lock(mu_);
      return health_;
    });
    absl::Status st = server->Start();
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_NE(server->port(), 0);
    return server;
  }

  void SetHealth(HealthState state, std::string details) {
    std::lock_guard lock(mu_);
    health_ = Health{state, std::move(details)};
  }

  static std::optional<TestResponse> Get(TestHttpClient& client, std::string_view path) {
    if (!client.Send(TestHttpClient::Request("GET", path))) return std::nullopt;
    return client.ReadResponse();
  }

  Registry registry_;
  std::mutex mu_;
  Health health_;
};

TEST_F(MetricsServerTest, ServesMetricsWithKeepAlive) {
  auto server = StartServer(Options());
  TestHttpClient client(server->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 2; ++i) {  // the second request reuses the connection
    std::optional<TestResponse> response = Get(client, "/metrics");
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(response->body,
              "# HELP tripline_test_requests_total Requests.\n"
              "# TYPE tripline_test_requests_total counter\n"
              "tripline_test_requests_total 7\n");
  }
}

TEST_F(MetricsServerTest, HealthFollowsTheCallback) {
  auto server = StartServer(Options());
  TestHttpClient client(server->port());
  std::optional<TestResponse> ok = Get(client, "/health");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->headers["content-type"], "application/json");
  EXPECT_EQ(ok->body, "{\"status\":\"ok\",\"details\":\"\"}\n");

  SetHealth(HealthState::kDegraded, "spool at 93%");
  std::optional<TestResponse> degraded = Get(client, "/health");
  ASSERT_TRUE(degraded);
  EXPECT_EQ(degraded->status, 200);
  EXPECT_EQ(degraded->body, "{\"status\":\"degraded\",\"details\":\"spool at 93%\"}\n");

  SetHealth(HealthState::kFailed, "kafka \"down\"\n");
  std::optional<TestResponse> failed = Get(client, "/health");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503);
  EXPECT_EQ(failed->body, "{\"status\":\"failed\",\"details\":\"kafka \\\"down\\\"\\u000a\"}\n");
}

TEST_F(MetricsServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  auto server = StartServer(Options());
  TestHttpClient client(server->port());
  std::optional<TestResponse> missing = Get(client, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  ASSERT_TRUE(client.Send(TestHttpClient::Request("POST", "/metrics", "Content-Length: 2\r\n") +
                          "{}"));
  std::optional<TestResponse> post = client.ReadResponse();
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->headers["allow"], "GET");

  // The connection is still usable after both.
  std::optional<TestResponse> metrics = Get(client, "/metrics?name=x");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
}

TEST_F(MetricsServerTest, StopsWhileAClientHoldsAKeepAliveConnection) {
  auto server = StartServer(Options());
  TestHttpClient client(server->port());
  ASSERT_TRUE(Get(client, "/metrics"));

  auto stopped = std::async(std::launch::async, [&server] { server->Stop(); });
  ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready) << "Stop() hung";
  EXPECT_TRUE(client.WaitClosed());
  TestHttpClient late(server->port());
  EXPECT_FALSE(late.connected());
  server->Stop();  // idempotent
}

TEST_F(MetricsServerTest, SecondBindToTheSamePortFailsWithAClearStatus) {
  auto first = StartServer(Options());
  MetricsServerOptions options = Options();
  options.port = first->port();
  MetricsServer second(options, registry_, nullptr);
  absl::Status st = second.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_NE(st.message().find("127.0.0.1:" + std::to_string(first->port())),
            std::string_view::npos)
      << st;
  EXPECT_NE(st.message().find("bind"), std::string_view::npos) << st;
  EXPECT_EQ(second.port(), 0);
  // The first server is unaffected.
  TestHttpClient client(first->port());
  EXPECT_TRUE(Get(client, "/metrics"));
}

TEST_F(MetricsServerTest, StartTwiceAndBadHostAreErrors) {
  auto server = StartServer(Options());
  EXPECT_EQ(server->Start().code(), absl::StatusCode::kFailedPrecondition);

  MetricsServerOptions options = Options();
  options.host = "no-such-host.invalid";
  MetricsServer bad(options, registry_, nullptr);
  absl::Status st = bad.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no-such-host.invalid"), std::string_view::npos) << st;
}

TEST_F(MetricsServerTest, OversizeHeaderGets431OrACloseAndTheServerLivesOn) {
  auto server = StartServer(Options());
  {
    TestHttpClient client(server->port());
    std::string big = "X-Padding: " + std::string(16 * 1024, 'a') + "\r\n";
    client.Send(TestHttpClient::Request("GET", "/metrics", big));  // may fail midway: reset
    std::optional<TestResponse> response = client.ReadResponse();
    if (response) {
      EXPECT_EQ(response->status, 431);
      EXPECT_EQ(response->headers["connection"], "close");
    }
    EXPECT_TRUE(client.WaitClosed());
  }
  TestHttpClient next(server->port());
  std::optional<TestResponse> response = Get(next, "/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(MetricsServerTest, ConnectionsOverTheLimitAreClosedAndCounted) {
  MetricsServerOptions options = Options();
  options.max_connections = 1;
  auto server = StartServer(options);
  TestHttpClient first(server->port());
  ASSERT_TRUE(Get(first, "/metrics"));  // the first connection is now a live session

  TestHttpClient second(server->port());
  EXPECT_TRUE(second.WaitClosed());
  EXPECT_EQ(server->rejected_connections(), 1u);

  EXPECT_TRUE(Get(first, "/metrics"));
}

TEST_F(MetricsServerTest, IdleConnectionIsClosedAfterTheTimeout) {
  MetricsServerOptions options = Options();
  options.io_timeout = 200ms;
  auto server = StartServer(options);
  TestHttpClient idle(server->port());
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.WaitClosed(5s));
}

TEST_F(MetricsServerTest, MalformedRequestGets400) {
  auto server = StartServer(Options());
  TestHttpClient client(server->port());
  ASSERT_TRUE(client.Send("NOT HTTP AT ALL\r\n\r\n"));
  std::optional<TestResponse> response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.WaitClosed());
}

}  // namespace
}  // namespace tripline::metrics
