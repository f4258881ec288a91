#include "correlator/correlator_config.h"

#include <gtest/gtest.h>

#include "correlator/rules.h"
#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

TEST(CorrelatorConfig, ShippedExampleLoadsAndItsRulesCompile) {
  auto c = LoadCorrelatorConfig(TRIPLINE_SOURCE_DIR "/config/correlator.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->events_topic, "tripline.events");
  ASSERT_EQ(c->rule_paths.size(), 1u);
  EXPECT_EQ(c->rule_paths[0], TRIPLINE_SOURCE_DIR "/config/rules/demo");  // relative to the file
  auto rules = LoadConfiguredRules(*c);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_GE((*rules)->size(), 1u);
}

TEST(CorrelatorConfig, EveryProblemIsListed) {
  testing::TempDir dir;
  std::string path = dir.Write("c.yaml",
                               "kafka:\n"
                               "  brokers: 127.0.0.1:9092\n"
                               "  topic_partitions: 0\n"        // line 3: out of range
                               "rules:\n"
                               "  paths: rules\n"
                               "  field_map: fm.yaml\n"
                               "  on_error: ignore\n"           // line 7: bad enum
                               "outputs:\n"
                               "  splunk: {}\n");               // line 9: unknown (not yet)
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":3: kafka.topic_partitions: must be between 1 and 10000, got 0"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":7: rules.on_error: must be fail or skip"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":9: outputs.splunk: unknown key"), std::string::npos) << msg;
}

TEST(CorrelatorConfig, BadRuleFailsTheLoadUnlessSkipIsAsked) {
  testing::TempDir dir;
  dir.Write("rules/good.yml",
            "title: Good\nid: good-1\nlogsource: {category: webserver}\n"
            "detection:\n  sel:\n    cs-method: POST\n  condition: sel\nlevel: low\n");
  dir.Write("rules/bad.yml",
            "title: Bad\nid: bad-1\nlogsource: {category: webserver}\n"
            "detection:\n  sel:\n    cs-method: POST\n  condition: sel and nope\nlevel: low\n");
  std::string path = dir.Write("c.yaml", "kafka: {brokers: x:1}\nrules:\n  paths: [rules]\n"
                                         "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  auto rules = LoadConfiguredRules(*c);
  ASSERT_FALSE(rules.ok());
  EXPECT_NE(rules.status().message().find(dir.File("rules/bad.yml") + ":7:"), std::string::npos)
      << rules.status();
  c->skip_bad_rules = true;
  rules = LoadConfiguredRules(*c);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ((*rules)->size(), 1u);
}

TEST(CorrelatorConfig, FleetAndApiSecurityAreCheckedWithPositions) {
  testing::TempDir dir;
  dir.Write("server.pem", "-----BEGIN CERTIFICATE-----\n");
  std::string path = dir.Write("c.yaml",
                               "kafka: {brokers: x:1}\n"
                               "rules:\n  paths: [rules]\n  field_map: fm.yaml\n"
                               "api:\n"
                               "  tls:\n"
                               "    cert_file: server.pem\n"
                               "    key_file: missing.key\n"          // line 8: unreadable
                               "  token_file: /nonexistent/token\n"   // line 9: unreadable
                               "fleet:\n"
                               "  heartbeat_interval_s: 0\n"          // line 11: out of range
                               "  silent_after: 2\n"                  // line 12: unknown key
                               "correlator: {state_dir: st}\n");
  auto c = LoadCorrelatorConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":8: api.tls.key_file: '" + dir.File("missing.key") +
                     "' is not a readable file"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":9: api.token_file:"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":11: fleet.heartbeat_interval_s: must be between 1 and 3600"),
            std::string::npos) << msg;
  EXPECT_NE(msg.find(path + ":12: fleet.silent_after: unknown key"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("cert_file"), std::string::npos) << msg;  // that one is readable

  path = dir.Write("ok.yaml", "kafka: {brokers: x:1}\n"
                              "rules:\n  paths: [rules]\n  field_map: fm.yaml\n"
                              "fleet: {heartbeat_interval_s: 1, silent_after_intervals: 3}\n"
                              "correlator: {state_dir: st}\n");
  c = LoadCorrelatorConfig(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->fleet.heartbeat_interval_s, 1);
  EXPECT_EQ(c->fleet.silent_after_intervals, 3);
  EXPECT_EQ(c->fleet.state_file, dir.File("st") + "/fleet/agents.bin");
  EXPECT_FALSE(c->api_security.tls());
}

}  // namespace
}  // namespace tripline::correlator
