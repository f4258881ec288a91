#include "correlator/sinks/splunk_hec/splunk_hec_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "correlator/correlator_config.h"
#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

// Lines 1-4 of every file below.
std::string Base() {
  return "kafka: {brokers: 127.0.0.1:9092}\nrules:\n  paths: [rules]\n"
         "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n";
}

TEST(SplunkHecConfig, ReadsEveryKeyAndTheTokenFromItsFile) {
  testing::TempDir dir;
  dir.Write("secrets/hec.token", "  11111111-2222-3333-4444-555555555555\n");
  std::string path = dir.Write(
      "c.yaml", Base() +
                    "outputs:\n  splunk_hec:\n    url: https://splunk:8088\n"
                    "    token_file: secrets/hec.token\n    index: security\n"
                    "    sourcetype: tripline:alert:v2\n    source: corr-1\n    host: corr-host\n"
                    "    batch_max_bytes: 500000\n    ack: true\n    ack_timeout_ms: 20000\n"
                    "    ca_file: ca.pem\n    client_cert_file: c.pem\n    client_key_file: k.pem\n"
                    "    tls_verify: false\n    timeout_ms: 3000\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->splunk_hec.has_value());
  const SplunkHecConfig& h = *c->splunk_hec;
  EXPECT_EQ(h.url, "https://splunk:8088");
  EXPECT_EQ(h.token, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(h.token_from, "token_file " + dir.File("secrets/hec.token"));
  EXPECT_EQ(h.index, "security");
  EXPECT_EQ(h.sourcetype, "tripline:alert:v2");
  EXPECT_EQ(h.source, "corr-1");
  EXPECT_EQ(h.host, "corr-host");
  EXPECT_EQ(h.batch_max_bytes, 500000u);
  EXPECT_TRUE(h.ack);
  EXPECT_EQ(h.ack_timeout.count(), 20000);
  EXPECT_EQ(h.ca_file, dir.File("ca.pem"));
  EXPECT_EQ(h.client_key_file, dir.File("k.pem"));
  EXPECT_FALSE(h.tls_verify);
  EXPECT_EQ(h.timeout.count(), 3000);
}

TEST(SplunkHecConfig, DefaultsAndTokenFromTheEnvironment) {
  testing::TempDir dir;
  ::setenv("TRIPLINE_TEST_HEC_TOKEN", "abc-token", 1);
  std::string path = dir.Write("c.yaml", Base() +
                                             "outputs:\n  splunk_hec:\n    url: http://127.0.0.1:8088\n"
                                             "    token_env: TRIPLINE_TEST_HEC_TOKEN\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->splunk_hec.has_value());
  EXPECT_EQ(c->splunk_hec->token, "abc-token");
  EXPECT_EQ(c->splunk_hec->sourcetype, "tripline:alert");
  EXPECT_EQ(c->splunk_hec->batch_max_bytes, 1'000'000u);
  EXPECT_FALSE(c->splunk_hec->ack);
  EXPECT_TRUE(c->splunk_hec->host.empty());
}

TEST(SplunkHecConfig, AbsentSectionMeansNoSink) {
  testing::TempDir dir;
  auto c = LoadCorrelatorConfig(dir.Write("c.yaml", Base()));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->splunk_hec.has_value());
}

TEST(SplunkHecConfig, EveryProblemIsListedWithItsLine) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml", Base() +
                                             "outputs:\n"
                                             "  splunk_hec:\n"                 // line 6
                                             "    index: main\n"
                                             "    acks: true\n"                // line 8: typo
                                             "    batch_max_bytes: 10\n");     // line 9: too small
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":7: outputs.splunk_hec.url: required key is missing"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find("outputs.splunk_hec.token_file: exactly one of token_file and token_env"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":8: outputs.splunk_hec.acks: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":9: outputs.splunk_hec.batch_max_bytes: must be between"),
            std::string::npos) << msg;
}

TEST(SplunkHecConfig, AMissingOrEmptyTokenIsAnErrorThatNeverShowsAToken) {
  testing::TempDir dir;
  ::setenv("TRIPLINE_TEST_EMPTY_TOKEN", "", 1);
  std::string path = dir.Write("c.yaml", Base() +
                                             "outputs:\n  splunk_hec:\n    url: ftp://x\n"
                                             "    token_file: nope.token\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find("outputs.splunk_hec.url: must start with http:// or https://"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":8: outputs.splunk_hec.token_file: cannot read"), std::string::npos)
      << msg;
  path = dir.Write("d.yaml", Base() +
                                 "outputs:\n  splunk_hec:\n    url: http://x:1\n"
                                 "    token_env: TRIPLINE_TEST_EMPTY_TOKEN\n");
  c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("token_env TRIPLINE_TEST_EMPTY_TOKEN gives an empty token"),
            std::string::npos) << c.status();
}

}  // namespace
}  // namespace tripline::correlator
