#include "correlator/sinks/opensearch/bulk_sink_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sstream>

#include "correlator/correlator_config.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

const char* kHead =
    "kafka:\n  brokers: 127.0.0.1:9092\n"
    "rules:\n  paths: rules\n  field_map: fm.yaml\n"
    "outputs:\n";  // outputs.elasticsearch starts on line 7

TEST(BulkSinkConfig, DefaultsAndRelativeFiles) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml", std::string(kHead) +
                                             "  elasticsearch:\n"
                                             "    url: https://es.example:9200\n"
                                             "    username: tripline\n"
                                             "    password_file: secrets/es.pw\n"
                                             "    ca_file: /etc/ssl/es-ca.pem\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->elasticsearch.has_value());
  const BulkSinkConfig& es = *c->elasticsearch;
  EXPECT_EQ(es.url, "https://es.example:9200");
  EXPECT_EQ(es.index, "logs-tripline.alert-default");
  EXPECT_EQ(es.password_file, dir.File("secrets/es.pw"));
  EXPECT_EQ(es.batch_max_bytes, 5u * 1024 * 1024);
  EXPECT_EQ(es.timeout, std::chrono::milliseconds(10'000));
  EXPECT_TRUE(es.tls_verify);
  EXPECT_FALSE(es.refresh);
}

TEST(BulkSinkConfig, AbsentSectionMeansNoSink) {
  testing::TempDir dir;
  auto c = LoadCorrelatorConfig(dir.Write("c.yaml", std::string(kHead) + "  jsonl: a.jsonl\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->elasticsearch.has_value());
}

TEST(BulkSinkConfig, EveryProblemIsListedWithItsLine) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml", std::string(kHead) +
                                             "  elasticsearch:\n"         // 7
                                             "    index: Alerts\n"        // 8
                                             "    username: tripline\n"   // 9
                                             "    batch_max_bytes: 10\n"  // 10
                                             "    ca_file: ca.pem\n"      // 11
                                             "    refersh: true\n"        // 12
                                             "    api_key_file: key\n");  // 13
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  for (const std::string& want :
       {path + ":8: outputs.elasticsearch.url: required key is missing",
        path + ":8: outputs.elasticsearch.index: must be lower case: Alerts",
        path + ":9: outputs.elasticsearch.username: needs password_file or password_env",
        path + ":10: outputs.elasticsearch.batch_max_bytes: must be between 4096",
        path + ":12: outputs.elasticsearch.refersh: unknown key",
        path + ":13: outputs.elasticsearch.api_key_file: give username/password or api_key_file"}) {
    EXPECT_NE(msg.find(want), std::string::npos) << want << "\n" << msg;
  }
}

TEST(BulkSinkConfig, UrlShapeAndTlsKeys) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml", std::string(kHead) +
                                             "  elasticsearch:\n"
                                             "    url: http://es:9200/prefix\n"  // 8
                                             "    client_cert_file: c.pem\n");   // 9
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(":8: outputs.elasticsearch.url: must be scheme://host:port without a path"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("client_cert_file and client_key_file go together"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":9: outputs.elasticsearch.client_cert_file: applies to an https:// url"),
            std::string::npos)
      << msg;
}

// The commented-out example in config/correlator.yaml loads once uncommented.
TEST(BulkSinkConfig, ShippedExampleLoadsWhenUncommented) {
  std::string text = testing::ReadFile(TRIPLINE_SOURCE_DIR "/config/correlator.yaml");
  std::string out, line;
  bool in_block = false;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (line.rfind("  # elasticsearch:", 0) == 0) {
      in_block = true;
    } else if (in_block && line.rfind("  #   ", 0) != 0) {
      in_block = false;
    }
    out += (in_block ? "  " + line.substr(4) : line) + "\n";
  }
  ASSERT_NE(out.find("\n  elasticsearch:"), std::string::npos);
  testing::TempDir dir;
  auto c = LoadCorrelatorConfig(dir.Write("correlator.yaml", out));
  ASSERT_TRUE(c.ok()) << c.status() << "\n" << out;
  ASSERT_TRUE(c->elasticsearch.has_value());
  EXPECT_EQ(c->elasticsearch->index, "logs-tripline.alert-default");
  EXPECT_EQ(c->elasticsearch->username, "tripline");
}

TEST(BulkAuthorization, BasicFromAFileOrTheEnvironmentAndApiKey) {
  testing::TempDir dir;
  BulkSinkConfig c;
  EXPECT_EQ(*BulkAuthorization(c), "");
  c.username = "elastic";
  c.password_file = dir.Write("pw", "changeme\n");
  EXPECT_EQ(*BulkAuthorization(c), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");  // elastic:changeme
  c.password_file.clear();
  c.password_env = "TRIPLINE_TEST_ES_PASSWORD";
  ::setenv("TRIPLINE_TEST_ES_PASSWORD", "changeme", 1);
  EXPECT_EQ(*BulkAuthorization(c), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
  ::unsetenv("TRIPLINE_TEST_ES_PASSWORD");
  auto unset = BulkAuthorization(c);
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("TRIPLINE_TEST_ES_PASSWORD"), std::string::npos);
  BulkSinkConfig k;
  k.api_key_file =
      dir.Write("key", "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==\n");
  EXPECT_EQ(*BulkAuthorization(k),
            "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==");
}

TEST(BulkAuthorization, AMissingSecretFileIsNamedNotRead) {
  BulkSinkConfig c;
  c.username = "elastic";
  c.password_file = "/nonexistent/es.pw";
  auto st = BulkAuthorization(c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("/nonexistent/es.pw"), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator
