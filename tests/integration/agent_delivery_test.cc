// The agent's delivery contract against a real Kafka broker: every line written to a watched log
// is on the topic after rotations, truncations, restarts, kill -9 and a broker outage; a line may
// arrive twice only with the same event_id. Counts and content are checked by consuming the topic.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

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

std::string Header(const std::string& date) {
  return "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: " + date +
         " 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
         "cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
         "time-taken\n";
}
const std::string kHeader = Header("2021-03-05");

std::string Line(int n) {
  return "2021-03-05 03:00:00 10.0.0.5 GET /owa/line/" + std::to_string(n) +
         " - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 1\n";
}

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += Line(i);
  return out;
}

// What arrived on the topic, by line number.
struct Arrivals {
  std::map<int, std::set<std::string>> ids;  // line -> distinct event ids seen
  size_t records = 0;
  std::vector<std::string> bad;  // records that are not one of our lines

  int missing(int expected) const {
    int n = 0;
    for (int i = 0; i < expected; ++i) n += ids.count(i) == 0;
    return n;
  }
  // Lines that arrived more than once with different event ids: a real duplicate.
  int conflicting() const {
    int n = 0;
    for (const auto& [line, set] : ids) n += set.size() > 1;
    return n;
  }
};

void Record(Arrivals& a, const testing::KafkaRecord& r) {
  v1::Event e;
  ++a.records;
  constexpr std::string_view kPrefix = "/owa/line/";
  if (!e.ParseFromString(r.value) || !e.has_http() ||
      e.http().url_path().rfind(kPrefix, 0) != 0) {
    a.bad.push_back(e.original());
    return;
  }
  a.ids[std::stoi(e.http().url_path().substr(kPrefix.size()))].insert(e.event_id());
}

// Consumes until every line 0..expected-1 arrived (or 10 s pass without a new record), then
// lingers briefly so that duplicates still in flight are seen too.
Arrivals Collect(const std::string& bootstrap, const std::string& topic, size_t expected,
                 std::chrono::milliseconds timeout) {
  Arrivals a;
  testing::ConsumeTopicUntil(
      bootstrap, topic,
      [&](const testing::KafkaRecord& r) {
        Record(a, r);
        return a.ids.size() >= expected;
      },
      timeout, 10s);
  return a;
}

class AgentDelivery : public ::testing::Test {
 protected:
  void SetUp() override { topic_ = "agent.it." + testing::UniqueSuffix(); }

  void WriteConfig(const std::string& bootstrap, const std::string& extra_sources = "",
                   const std::string& spool = "", const std::string& kafka_properties = "") {
    dir_.Write("agent.yaml",
               "agent:\n  id: EXCH01\n  data_dir: " + dir_.File("data") +
                   "\n  poll_interval_ms: 20\n  shutdown_timeout_ms: 1000\n"
                   "kafka:\n  brokers: " + bootstrap + "\n  topic: " + topic_ +
                   "\n  properties:\n    linger.ms: \"5\"\n    message.timeout.ms: \"10000\"\n" +
                   kafka_properties + spool +
                   "sources:\n  - name: iis\n    paths: [" + dir_.File("logs") +
                   "/u_ex*.log]\n    format: w3c\n    discover_interval_ms: 100\n" +
                   extra_sources + "metrics:\n  listen: \"\"\n");
  }
  std::unique_ptr<Process> StartAgent() {
    return std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", dir_.File("agent.yaml")},
        dir_.File("agent.out"));
  }
  void Append(const std::string& name, const std::string& text) {
    dir_.Write("logs/" + name, text, /*append=*/true);
  }
  void ExpectAll(const std::string& bootstrap, int expected, std::chrono::milliseconds timeout) {
    Arrivals a = Collect(bootstrap, topic_, static_cast<size_t>(expected), timeout);
    EXPECT_EQ(a.missing(expected), 0) << "of " << expected << "; agent output:\n"
                                      << ReadFile(dir_.File("agent.out")).substr(0, 20000);
    EXPECT_EQ(a.conflicting(), 0);
    EXPECT_TRUE(a.bad.empty()) << a.bad.size() << " unexpected records, first: " << a.bad[0];
    std::cout << "[ figures  ] lines " << expected << ", records on topic " << a.records
              << ", duplicates (same event_id) " << a.records - a.ids.size() << "\n";
  }

  TempDir dir_;
  std::string topic_;
};

TEST_F(AgentDelivery, RenameAndCreateRotationLosesNothing) {
  std::string bootstrap = testing::FixtureBootstrap();
  WriteConfig(bootstrap);
  auto agent = StartAgent();
  Append("u_ex1.log", kHeader + Lines(0, 1000));
  std::this_thread::sleep_for(300ms);
  // logrotate style: rename (to a name the glob no longer matches), create anew, late writes.
  std::filesystem::rename(dir_.File("logs/u_ex1.log"), dir_.File("logs/u_ex1.log.1"));
  Append("u_ex1.log.1", Lines(1000, 1010));
  Append("u_ex1.log", kHeader + Lines(1010, 2000));
  ExpectAll(bootstrap, 2000, 60s);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

TEST_F(AgentDelivery, CopyTruncateAndTruncationLoseNothingThatWasWrittenAfter) {
  std::string bootstrap = testing::FixtureBootstrap();
  WriteConfig(bootstrap);
  auto agent = StartAgent();
  Append("u_ex1.log", kHeader + Lines(0, 1000));
  ASSERT_EQ(Collect(bootstrap, topic_, 1000, 60s).missing(1000), 0);
  // copytruncate: copy away (not matched by the glob), truncate in place, keep writing.
  std::filesystem::copy_file(dir_.File("logs/u_ex1.log"), dir_.File("logs/u_ex1.old"));
  ASSERT_EQ(::truncate(dir_.File("logs/u_ex1.log").c_str(), 0), 0);
  Append("u_ex1.log", Header("2021-03-06") + Lines(1000, 1500));
  ASSERT_EQ(Collect(bootstrap, topic_, 1500, 60s).missing(1500), 0);
  // Plain truncation to zero and a shorter new content.
  ASSERT_EQ(::truncate(dir_.File("logs/u_ex1.log").c_str(), 0), 0);
  Append("u_ex1.log", Header("2021-03-07") + Lines(1500, 1600));
  ExpectAll(bootstrap, 1600, 60s);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

TEST_F(AgentDelivery, SighupAddsASourceAndKeepsThePositionsOfTheOthers) {
  std::string bootstrap = testing::FixtureBootstrap();
  WriteConfig(bootstrap);
  auto agent = StartAgent();
  Append("u_ex1.log", kHeader + Lines(0, 500));
  ASSERT_EQ(Collect(bootstrap, topic_, 500, 60s).missing(500), 0);
  dir_.Write("other/u_ex9.log", kHeader + Lines(500, 600));
  WriteConfig(bootstrap, "  - name: other\n    paths: [" + dir_.File("other") +
                             "/u_ex*.log]\n    format: w3c\n    discover_interval_ms: 100\n");
  agent->Signal(SIGHUP);
  ASSERT_TRUE(WaitUntil(20s, [&] {
    return ReadFile(dir_.File("agent.out")).find("reloaded 2 source(s)") != std::string::npos;
  })) << ReadFile(dir_.File("agent.out"));
  Append("u_ex1.log", Lines(600, 700));
  Arrivals a = Collect(bootstrap, topic_, 700, 60s);
  EXPECT_EQ(a.missing(700), 0);
  EXPECT_EQ(a.records, 700u) << "the reload must not read anything twice";
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

TEST_F(AgentDelivery, KillDashNineFiveTimesWhileShipping100kLines) {
  std::string bootstrap = testing::FixtureBootstrap();
  WriteConfig(bootstrap);
  const int kLines = 100000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    Append("u_ex1.log", kHeader);
    for (int i = 0; i < kLines; i += 1000) {
      Append("u_ex1.log", Lines(i, i + 1000));
      std::this_thread::sleep_for(80ms);  // ~12,500 lines/s for ~8 s
    }
    done = true;
  });
  auto agent = StartAgent();
  for (int kill = 0; kill < 5; ++kill) {
    std::this_thread::sleep_for(1500ms);
    agent->Signal(SIGKILL);
    EXPECT_EQ(agent->Wait(10s), 128 + SIGKILL);
    agent = StartAgent();
  }
  writer.join();
  ExpectAll(bootstrap, kLines, 180s);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

TEST_F(AgentDelivery, SpoolKeepsWhatKafkaDidNotTakeAcrossAnAgentRestart) {
  testing::PrivateBroker broker(dir_.File("kafka"));
  ASSERT_TRUE(broker.Start());
  WriteConfig(broker.bootstrap());
  auto agent = StartAgent();
  Append("u_ex1.log", kHeader + Lines(0, 200));
  ASSERT_EQ(Collect(broker.bootstrap(), topic_, 200, 60s).missing(200), 0);
  broker.Kill();
  Append("u_ex1.log", Lines(200, 1200));  // read into the spool; Kafka is gone
  ASSERT_TRUE(WaitUntil(30s, [&] {
    std::string state = ReadFile(dir_.File("data/state/iis.state"));
    return state.find("\t" + std::to_string(kHeader.size() + Lines(0, 1200).size()) +
                      "\t") != std::string::npos;
  })) << "the source position must move once the lines are in the spool";
  agent->Signal(SIGTERM);  // stops with records still unacknowledged in the spool
  EXPECT_EQ(agent->Wait(30s), 0);
  EXPECT_NE(ReadFile(dir_.File("agent.out")).find("stay in the spool"), std::string::npos);
  ASSERT_TRUE(broker.Restart());
  agent = StartAgent();
  ExpectAll(broker.bootstrap(), 1200, 90s);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
}

// librdkafka's idempotent producer can fail fatally (its idempotence state lost); the agent must
// then build a new producer and send again everything not yet delivered. A librdkafka plugin
// (tests/support/fatal_error_plugin.cc) raises that error after the 3,000th record.
TEST_F(AgentDelivery, FatalProducerErrorIsRecoveredByANewProducerWithoutLoss) {
  std::string bootstrap = testing::FixtureBootstrap();
  WriteConfig(bootstrap, "", "",
              std::string("    plugin.library.paths: ") + TRIPLINE_FATAL_ERROR_PLUGIN +
                  "\n    tripline.test.fatal_after: \"3000\"\n");
  auto agent = StartAgent();
  Append("u_ex1.log", kHeader);
  for (int i = 0; i < 10000; i += 500) {
    Append("u_ex1.log", Lines(i, i + 500));
    std::this_thread::sleep_for(20ms);
  }
  ExpectAll(bootstrap, 10000, 120s);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(30s), 0);
  std::string out = ReadFile(dir_.File("agent.out"));
  EXPECT_NE(out.find("test_fatal_error: injected by the test plugin"), std::string::npos) << out;
  EXPECT_NE(out.find("recreating the producer"), std::string::npos) << out;
}

}  // namespace
}  // namespace tripline
