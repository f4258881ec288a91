#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

TEST(AgentConfig, ShippedExampleLoads) {
  auto c = LoadAgentConfig(TRIPLINE_SOURCE_DIR "/config/agent.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->topic, "tripline.events");
  ASSERT_EQ(c->file_sources.size(), 1u);
  EXPECT_EQ(c->file_sources[0].format, "w3c");
  EXPECT_EQ(c->spool.dir, "/var/lib/tripline-agent/spool");
}

TEST(AgentConfig, EveryProblemIsListedWithFileAndLine) {
  testing::TempDir dir;
  std::string path = dir.Write("agent.yaml",
                               "agent:\n"
                               "  data_dir: /tmp/x\n"
                               "  poll_intervall_ms: 5\n"      // line 3: typo
                               "kafka:\n"
                               "  brokers: 127.0.0.1:9092\n"
                               "sources:\n"
                               "  - name: iis\n"
                               "    path: /tmp/u_ex.log\n"
                               "    format: w3cx\n"             // line 9: unknown format
                               "    max_line_bytes: lots\n"     // line 10: not a number
                               "colour: blue\n");              // line 11: unknown top key
  auto c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":3: agent.poll_intervall_ms: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":9: sources[0].format: unknown format 'w3cx'"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find(path + ":10: sources[0].max_line_bytes: expected an integer"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find(path + ":11: colour: unknown key"), std::string::npos) << msg;
}

TEST(AgentConfig, YamlSyntaxErrorNamesTheLine) {
  testing::TempDir dir;
  std::string path = dir.Write("agent.yaml", "agent:\n  data_dir: [unclosed\nkafka: {}\n");
  auto c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path + ":"), std::string::npos);
  EXPECT_NE(c.status().message().find("YAML syntax error"), std::string::npos) << c.status();
}

TEST(AgentConfig, MissingRequiredKeysAreReported) {
  testing::TempDir dir;
  std::string path = dir.Write("agent.yaml", "agent: {}\nkafka: {}\n");
  auto c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find("agent.data_dir: required key is missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("kafka.brokers: required key is missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sources: at least one source is required"), std::string::npos) << msg;
}

// A CloudTrail JSON export is `product: aws, service: cloudtrail` for the correlator; the source
// says so, the value is kept in lower case, and a mistyped key is an error like any other.
TEST(AgentConfig, FileSourceDeclaresTheSigmaLogsourceOfWhatItReads) {
  testing::TempDir dir;
  std::string base = "agent:\n  data_dir: /tmp/x\nkafka:\n  brokers: 127.0.0.1:9092\nsources:\n";
  std::string good = dir.Write("good.yaml", base +
                                                "  - name: cloudtrail\n"
                                                "    path: " + dir.path() + "/ct/*.jsonl\n"
                                                "    format: json\n"
                                                "    logsource: {product: AWS, "
                                                "service: cloudtrail}\n"
                                                "  - name: iis\n"
                                                "    path: " + dir.path() + "/iis/*.log\n"
                                                "    format: w3c\n");
  auto c = LoadAgentConfig(good);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->file_sources.size(), 2u);
  EXPECT_EQ(c->file_sources[0].logsource.product(), "aws");
  EXPECT_EQ(c->file_sources[0].logsource.service(), "cloudtrail");
  EXPECT_EQ(c->file_sources[0].logsource.category(), "");
  EXPECT_EQ(c->file_sources[1].logsource.ByteSizeLong(), 0u);  // not declared: derived

  std::string bad = dir.Write("bad.yaml", base +
                                              "  - name: proxy\n"                  // line 6
                                              "    path: " + dir.path() + "/p.log\n"
                                              "    format: w3c\n"
                                              "    logsource:\n"                   // line 9
                                              "      categroy: proxy\n"            // line 10
                                              "      service: web proxy\n");       // line 11
  auto b = LoadAgentConfig(bad);
  ASSERT_FALSE(b.ok());
  std::string msg(b.status().message());
  EXPECT_NE(msg.find(bad + ":10: sources[0].logsource.categroy: unknown key"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find(bad + ":11: sources[0].logsource.service: 'web proxy': a Sigma logsource"),
            std::string::npos)
      << msg;
}

TEST(AgentConfig, FleetSectionIsOptionalAndStrict) {
  testing::TempDir dir;
  const std::string base = "agent:\n  id: exch01\n  data_dir: /tmp/x\nkafka:\n  brokers: k:1\n"
                           "sources:\n  - {name: iis, path: /tmp/u_ex.log, format: w3c}\n";
  auto c = LoadAgentConfig(dir.Write("none.yaml", base));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->fleet.enabled);

  dir.Write("token", "  s3cret\n");
  c = LoadAgentConfig(dir.Write("ok.yaml", base + "fleet:\n  server: 10.0.0.5:7443\n"
                                                  "  token_file: " + dir.File("token") + "\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->fleet.enabled);
  EXPECT_EQ(c->fleet.agent_id, "exch01");  // agent.id
  EXPECT_EQ(c->fleet.api.server, "10.0.0.5:7443");
  EXPECT_EQ(c->fleet.api.token, "s3cret");
  EXPECT_FALSE(c->fleet.api.tls());

  std::string path = dir.Write("bad.yaml", base +
                                               "fleet:\n"                       // line 8
                                               "  server: correlator\n"         // line 9: no port
                                               "  tls:\n"
                                               "    cert_file: /nonexistent.pem\n"  // line 11
                                               "  interval: 5\n");               // line 12
  c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":9: fleet.server:"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":11: fleet.tls.cert_file: '/nonexistent.pem' is not a readable file"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":12: fleet.interval: unknown key"), std::string::npos) << msg;
}

}  // namespace
}  // namespace tripline::agent
