// The agent binary against a real broker: web-shell drops seen by FIM arrive on the topic, live and
// across a restart; a two-minute broker outage loses nothing and shows in the spool metrics.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/http_test_client.h"
#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tripline/v1/event.pb.h"

namespace tripline {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::WaitUntil;

constexpr const char* kChopper =
    "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"klk123456\"],\"unsafe\");%>";

class AgentSources : public ::testing::Test {
 protected:
  void SetUp() override { topic_ = "agent.src." + testing::UniqueSuffix(); }

  void WriteConfig(const std::string& bootstrap, const std::string& sources) {
    dir_.Write("agent.yaml", "agent:\n  id: EXCH01\n  data_dir: " + dir_.File("data") +
                                 "\n  poll_interval_ms: 20\n  shutdown_timeout_ms: 500\n"
                                 "kafka:\n  brokers: " + bootstrap + "\n  topic: " + topic_ +
                                 "\n  properties:\n    linger.ms: \"5\"\n"
                                 "sources:\n" + sources +
                                 "metrics:\n  listen: 127.0.0.1:0\n");
  }
  std::unique_ptr<Process> StartAgent() {
    return std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", dir_.File("agent.yaml")},
        dir_.File("agent.out"));
  }
  // The events on the topic that are FIM changes of files named `name`.
  std::vector<v1::Event> FimEvents(const std::string& bootstrap, const std::string& name,
                                   size_t want, std::chrono::milliseconds timeout) {
    std::vector<v1::Event> out;
    testing::ConsumeTopicUntil(
        bootstrap, topic_,
        [&](const testing::KafkaRecord& r) {
          v1::Event e;
          if (e.ParseFromString(r.value) && e.has_file() && e.file().name() == name) {
            out.push_back(e);
          }
          return out.size() >= want;
        },
        timeout, timeout);
    return out;
  }

  TempDir dir_;
  std::string topic_;
};

TEST_F(AgentSources, WebShellDroppedIntoAWatchedFolderIsOnTheTopicWithin2s) {
  std::string bootstrap = testing::FixtureBootstrap();
  std::filesystem::create_directories(dir_.File("owa/auth"));
  dir_.Write("owa/auth/logon.aspx", "<%@ Page Language=\"C#\" %>legit");
  WriteConfig(bootstrap, "  - name: owa-auth\n    type: fim\n    paths: [" + dir_.File("owa") +
                             "]\n    extensions: [aspx, ashx]\n");
  auto agent = StartAgent();
  ASSERT_TRUE(WaitUntil(20s, [&] {
    return ReadFile(dir_.File("agent.out")).find("shipping") != std::string::npos;
  }));
  std::this_thread::sleep_for(500ms);  // the first baseline is built at start
  auto dropped = std::chrono::steady_clock::now();
  dir_.Write("owa/auth/RedirSuiteServerProxy.aspx", kChopper);
  auto events = FimEvents(bootstrap, "RedirSuiteServerProxy.aspx", 1, 20s);
  auto seen = std::chrono::steady_clock::now();
  ASSERT_EQ(events.size(), 1u) << ReadFile(dir_.File("agent.out"));
  // End to end: inotify, settle, hash, spool, Kafka, consumer. A figure, not an assertion.
  std::cout << "[ figures  ] web shell written -> FIM event consumed from Kafka: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(seen - dropped).count()
            << " ms\n";
  const v1::FileChange& f = events[0].file();
  EXPECT_EQ(f.action(), v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(f.path(), dir_.File("owa/auth/RedirSuiteServerProxy.aspx"));
  EXPECT_EQ(f.extension(), "aspx");
  EXPECT_EQ(f.size(), std::strlen(kChopper));
  EXPECT_EQ(f.hash_sha256().size(), 64u);
  EXPECT_FALSE(f.webshell_markers().empty());
  EXPECT_EQ(events[0].host().id(), "EXCH01");
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

TEST_F(AgentSources, WebShellDroppedWhileTheAgentWasStoppedIsReportedAtTheNextStart) {
  std::string bootstrap = testing::FixtureBootstrap();
  std::filesystem::create_directories(dir_.File("aspnet_client/system_web"));
  WriteConfig(bootstrap, "  - name: aspnet-client\n    type: fim\n    paths: [" +
                             dir_.File("aspnet_client") + "]\n");
  {
    auto agent = StartAgent();
    ASSERT_TRUE(WaitUntil(20s, [&] {
      return std::filesystem::exists(dir_.File("data/fim/aspnet-client.baseline"));
    })) << ReadFile(dir_.File("agent.out"));
    agent->Signal(SIGTERM);
    ASSERT_EQ(agent->Wait(30s), 0);
  }
  dir_.Write("aspnet_client/system_web/log.aspx", kChopper);  // the agent is down
  auto agent = StartAgent();
  auto events = FimEvents(bootstrap, "log.aspx", 1, 30s);
  ASSERT_EQ(events.size(), 1u) << ReadFile(dir_.File("agent.out"));
  EXPECT_EQ(events[0].file().action(), v1::FileChange::ACTION_CREATED);
  EXPECT_FALSE(events[0].file().webshell_markers().empty());
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

double Metric(uint16_t port, const std::string& name) { return testing::ScrapeMetric(port, name); }

TEST_F(AgentSources, BrokerDownForTwoMinutesLosesNothingAndTheSpoolRisesAndFalls) {
  testing::PrivateBroker broker(dir_.File("kafka"));
  ASSERT_TRUE(broker.Start());
  std::filesystem::create_directories(dir_.File("logs"));
  std::string header =
      "#Fields: date time cs-method cs-uri-stem c-ip sc-status\n";
  auto line = [](int i) {
    return "2021-03-05 03:00:00 GET /owa/line/" + std::to_string(i) + " 10.0.0.1 200\n";
  };
  dir_.Write("logs/u_ex1.log", header);
  WriteConfig(broker.bootstrap(), "  - name: iis\n    paths: [" + dir_.File("logs") +
                                      "/u_ex*.log]\n    format: w3c\n");
  auto agent = StartAgent();
  uint16_t port = 0;
  ASSERT_TRUE(WaitUntil(20s, [&] {
    std::smatch m;
    std::string out = ReadFile(dir_.File("agent.out"));
    if (!std::regex_search(out, m, std::regex("127\\.0\\.0\\.1:([0-9]+)/metrics"))) return false;
    port = static_cast<uint16_t>(std::stoi(m[1]));
    return true;
  })) << ReadFile(dir_.File("agent.out"));
  int written = 0;
  auto write_for = [&](std::chrono::seconds how_long) {
    auto end = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < end) {
      std::string batch;
      for (int i = 0; i < 50; ++i) batch += line(written++);
      dir_.Write("logs/u_ex1.log", batch, true);
      std::this_thread::sleep_for(100ms);  // 500 lines/s
    }
  };
  write_for(5s);
  broker.Kill();
  double peak = 0;
  auto outage_end = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < outage_end) {
    write_for(5s);
    peak = std::max(peak, Metric(port, "tripline_agent_spool_unacked_records"));
  }
  std::cout << "[ figures  ] unacked spool records at the end of the outage: " << peak << "\n";
  EXPECT_GT(peak, 40000) << "the spool must hold what Kafka could not take";
  ASSERT_TRUE(broker.Restart());
  write_for(5s);
  ASSERT_TRUE(WaitUntil(120s, [&] {
    return Metric(port, "tripline_agent_spool_unacked_records") == 0;
  })) << "the spool must drain once the broker is back";
  std::set<std::string> seen;
  size_t records = 0;
  testing::ConsumeTopicUntil(
      broker.bootstrap(), topic_,
      [&](const testing::KafkaRecord& r) {
        v1::Event e;
        ++records;
        if (e.ParseFromString(r.value)) seen.insert(e.http().url_path());
        return seen.size() >= static_cast<size_t>(written);
      },
      120s, 15s);
  EXPECT_EQ(seen.size(), static_cast<size_t>(written)) << "lines written " << written;
  std::cout << "[ figures  ] lines " << written << ", records " << records << "\n";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

}  // namespace
}  // namespace tripline
