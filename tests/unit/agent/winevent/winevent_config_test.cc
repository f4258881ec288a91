// `type: winevent` in agent.yaml: its keys are checked strictly on every build (so that a config
// written on Linux for a Windows host is checked there too), and the Linux agent refuses the
// source itself with a clear message.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/agent_config.h"
#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

const std::string kHead =
    "agent:\n"                     // 1
    "  data_dir: /tmp/x\n"         // 2
    "kafka:\n"                     // 3
    "  brokers: 127.0.0.1:9092\n"  // 4
    "sources:\n"                   // 5
    "  - name: windows-events\n"   // 6
    "    type: winevent\n";        // 7

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(WineventConfigTest, ValidSourceIsOnlyRefusedForItsPlatform) {
  testing::TempDir dir;
  std::string path = dir.Write("agent.yaml", kHead +
                                                 "    start_at: future\n"
                                                 "    batch_size: 16\n"
                                                 "    retry_interval_ms: 5000\n"
                                                 "    channels:\n"
                                                 "      - name: Security\n"
                                                 "        query: '*[System[(EventID=4688)]]'\n"
                                                 "      - name: MSExchange Management\n");
  auto c = LoadAgentConfig(path);
#ifdef _WIN32
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->winevent_sources.size(), 1u);
  const WineventSourceConfig& w = c->winevent_sources[0];
  EXPECT_EQ(w.name, "windows-events");
  EXPECT_EQ(w.start_at, WineventStart::kFuture);
  EXPECT_EQ(w.batch_size, 16u);
  EXPECT_EQ(w.retry_interval.count(), 5000);
  ASSERT_EQ(w.channels.size(), 2u);
  EXPECT_EQ(w.channels[0].name, "Security");
  EXPECT_EQ(w.channels[0].query, "*[System[(EventID=4688)]]");
  EXPECT_EQ(w.channels[1].name, "MSExchange Management");
  EXPECT_EQ(w.channels[1].query, "");
#else
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(path + ":7: sources[0].type: winevent sources need the Windows agent"),
            std::string::npos)
      << msg;
  EXPECT_EQ(Count(msg, path + ":"), 1) << "only the platform is wrong:\n" << msg;
#endif
}

TEST(WineventConfigTest, DefaultsAreTheExchangeServerChannels) {
  WineventSourceConfig w;
  std::vector<std::string> names;
  for (const auto& c : w.channels) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Security", "System", "Application",
                                             "Microsoft-Windows-Sysmon/Operational",
                                             "MSExchange Management"}));
  EXPECT_TRUE(std::all_of(w.channels.begin(), w.channels.end(),
                          [](const WineventChannel& c) { return c.query.empty(); }));
  EXPECT_EQ(w.start_at, WineventStart::kOldest);
  EXPECT_EQ(w.retry_interval.count(), 60000);  // a missing channel is tried every minute
}

TEST(WineventConfigTest, EveryProblemIsListedWithItsLine) {
  testing::TempDir dir;
  std::string path = dir.Write("agent.yaml", kHead +
                                                 "    start_at: beginning\n"  // 8
                                                 "    batch_size: 0\n"        // 9
                                                 "    chanels: [Security]\n"  // 10
                                                 "    channels:\n"            // 11
                                                 "      - name: Security\n"   // 12
                                                 "        query: ''\n"        // 13
                                                 "      - name: Security\n"   // 14
                                                 "      - query: '*'\n"       // 15
                                                 "      - name: System\n"     // 16
                                                 "        filter: '*'\n");    // 17
  auto c = LoadAgentConfig(path);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  for (const char* expected : {
           ":8: sources[0].start_at: must be oldest or future",
           ":9: sources[0].batch_size: must be between 1 and 1024",
           ":10: sources[0].chanels: unknown key",
           ":13: sources[0].channels[0].query: empty",
           ":14: sources[0].channels[1].name: channel 'Security' is listed twice",
           ":15: sources[0].channels[2].name: required key is missing",
           ":17: sources[0].channels[3].filter: unknown key",
       }) {
    EXPECT_EQ(Count(msg, path + expected), 1) << expected << "\n" << msg;
  }
}

}  // namespace
}  // namespace tripline::agent
