#include "common/http/http_client.h"

#include <gtest/gtest.h>

#include "common/metrics/metrics_server.h"

namespace tripline::http {
namespace {

// A real HTTP server on loopback: the metrics endpoint.
class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (*registry_.AddCounter("tripline_test_total", "A counter."))->Inc(3);
    metrics::MetricsServerOptions options;
    options.port = 0;
    server_ = std::make_unique<metrics::MetricsServer>(options, registry_, nullptr);
    ASSERT_TRUE(server_->Start().ok());
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  metrics::Registry registry_;
  std::unique_ptr<metrics::MetricsServer> server_;
};

TEST_F(HttpClientTest, GetsResponsesOverOneKeptAliveConnection) {
  auto client = HttpClient::Create({.base_url = Url()});
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 3; ++i) {
    auto res = (*client)->Request("GET", "/metrics", "");
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("tripline_test_total 3"), std::string::npos) << res->body;
    EXPECT_NE(res->headers["content-type"].find("text/plain"), std::string::npos);
  }
  auto missing = (*client)->Request("GET", "/nope", "");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpClientTest, ReconnectsAfterTheServerGoesAway) {
  auto client = HttpClient::Create({.base_url = Url()});
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Request("GET", "/health", "").ok());
  uint16_t port = server_->port();
  server_->Stop();
  auto down = (*client)->Request("GET", "/health", "");
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
  // A new server on the same port: the next request connects again.
  metrics::MetricsServerOptions options;
  options.port = port;
  server_ = std::make_unique<metrics::MetricsServer>(options, registry_, nullptr);
  ASSERT_TRUE(server_->Start().ok());
  auto up = (*client)->Request("GET", "/health", "");
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->status, 200);
}

TEST(HttpClientCreateTest, RejectsBadUrlsAndHalfAClientCertificate) {
  EXPECT_FALSE(HttpClient::Create({.base_url = "ftp://x"}).ok());
  EXPECT_FALSE(HttpClient::Create({.base_url = "http://"}).ok());
  EXPECT_FALSE(HttpClient::Create({.base_url = "http://host:port"}).ok());
  EXPECT_TRUE(HttpClient::Create({.base_url = "http://[::1]:9200/ignored"}).ok());
  EXPECT_FALSE(HttpClient::Create({.base_url = "https://h:1", .ca_file = "/nonexistent"}).ok());
  EXPECT_FALSE(
      HttpClient::Create({.base_url = "https://h:1", .client_cert_file = "/etc/hostname"}).ok());
}

TEST(HttpClientCreateTest, RefusedConnectionIsUnavailable) {
  auto client = HttpClient::Create({.base_url = "http://127.0.0.1:1",
                                    .timeout = std::chrono::milliseconds(2000)});
  ASSERT_TRUE(client.ok());
  auto res = (*client)->Request("POST", "/x", "body");
  EXPECT_EQ(res.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tripline::http
