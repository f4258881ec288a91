// The fleet against real binaries and the fixture Kafka broker: two tripline-agent processes
// register and heartbeat (interval 1 s) with a real tripline-correlator; one is killed with
// SIGKILL; `tripline agents list --json` (a process) must show it silent within three intervals
// of its last heartbeat while the other stays ok, and the "agent silent" alert must reach the
// correlator's JSON lines output exactly once, the live feed and the recent-alerts store.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <regex>
#include <thread>

#include "tests/support/kafka_test_util.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::WaitUntil;

class Fleet : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    suffix_ = testing::UniqueSuffix();
    dir_.Write("rules/none.yml",
               "title: never\nid: fleet-never\nlogsource: {category: webserver, product: windows}\n"
               "detection:\n  sel:\n    cs-uri-stem: /never-requested\n  condition: sel\n"
               "level: low\n");
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: fleet-" + suffix_ +
                   "\n  events_topic: fleet.events." + suffix_ + "\n  alerts_topic: \"\"\n"
                   "rules:\n  paths: [" + dir_.File("rules") + "]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  stdout: true\n"
                   "api:\n  listen: 127.0.0.1:0\nmetrics:\n  listen: 127.0.0.1:0\n"
                   "fleet:\n  heartbeat_interval_s: 1\n  silent_after_intervals: 2\n"
                   "correlator:\n  commit_interval_ms: 200\n  state_dir: " + dir_.File("state") +
                   "\n");
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
    std::string port = testing::WaitForOutput(*correlator_, "gRPC API on port ([0-9]+)", 30s);
    ASSERT_FALSE(port.empty()) << correlator_->Output();
    server_ = "127.0.0.1:" + port;
  }
  void TearDown() override {
    for (auto& a : agents_) {
      if (a->running()) a->Signal(SIGTERM);
      (void)a->Wait(30s);
    }
    correlator_->Signal(SIGTERM);
    EXPECT_EQ(correlator_->Wait(30s), 0) << correlator_->Output();
  }

  Process* StartAgent(const std::string& id) {
    std::string data = dir_.File("agent-" + id);
    dir_.Write("logs-" + id + "/keep", "");
    std::string config = dir_.Write(
        id + ".yaml",
        "agent:\n  id: " + id + "\n  host_name: " + id + ".contoso.local\n"
        "  exchange_build: 15.1.2176.2\n  data_dir: " + data + "\n"
        "kafka:\n  brokers: " + bootstrap_ + "\n  topic: fleet.events." + suffix_ + "\n"
        "sources:\n  - {name: iis, path: " + dir_.File("logs-" + id) + "/*.log, format: w3c}\n"
        "metrics: {listen: \"127.0.0.1:0\"}\n"
        "fleet:\n  server: " + server_ + "\n");
    agents_.push_back(std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_AGENT_BIN, "-c", config}, dir_.File(id + ".out")));
    return agents_.back().get();
  }

  // `tripline agents list --json`, run as the analyst would; agent id -> its JSON object.
  std::map<std::string, nlohmann::json> ListAgents() {
    // Process appends to its log: one file per run.
    Process list({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--json", "--server", server_},
                 dir_.File("list-" + std::to_string(++lists_) + ".out"));
    std::map<std::string, nlohmann::json> out;
    if (list.Wait(20s) != 0) return out;
    auto doc = nlohmann::json::parse(list.Output(), nullptr, false);
    if (doc.is_discarded()) return out;
    for (const auto& a : doc["agents"]) out[a["agent_id"].get<std::string>()] = a;
    return out;
  }

  // The JSON lines of the stdout sink that are alerts of `rule`.
  std::vector<nlohmann::json> AlertLines(const std::string& rule) {
    std::vector<nlohmann::json> out;
    for (const std::string& line : testing::NonEmptyLines(correlator_->Output())) {
      if (line.rfind("{", 0) != 0) continue;
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (!doc.is_discarded() && doc["rule"]["id"] == rule) out.push_back(doc);
    }
    return out;
  }

  testing::TempDir dir_;
  std::string bootstrap_, suffix_, server_;
  std::unique_ptr<Process> correlator_;
  std::vector<std::unique_ptr<Process>> agents_;
  int lists_ = 0;
};

TEST_F(Fleet, AKilledAgentIsReportedSilentOnceAndTheOtherStaysOk) {
  Process* a = StartAgent("exch-a");
  StartAgent("exch-b");
  std::map<std::string, nlohmann::json> agents;
  ASSERT_TRUE(WaitUntil(30s, [&] {
    agents = ListAgents();
    return agents.size() == 2 && agents["exch-a"]["health"] == "ok" &&
           agents["exch-b"]["health"] == "ok";
  })) << correlator_->Output() << a->Output();
  EXPECT_EQ(agents["exch-a"]["host_name"], "exch-a.contoso.local");
  EXPECT_EQ(agents["exch-a"]["exchange_build"], "15.1.2176.2");
  EXPECT_EQ(agents["exch-a"]["version"], "0.1.0");
  EXPECT_LT(agents["exch-a"]["last_seen_age_seconds"].get<double>(), 2.0);
  // A few heartbeats go through first.
  std::this_thread::sleep_for(2500ms);
  agents = ListAgents();
  ASSERT_EQ(agents["exch-a"]["health"], "ok") << correlator_->Output();

  Process feed({TRIPLINE_TRIPLINE_BIN, "alerts", "tail", "--server", server_, "--json",
                "--limit", "1"},
               dir_.File("feed.out"));
  std::this_thread::sleep_for(500ms);
  a->Signal(SIGKILL);
  ASSERT_EQ(a->Wait(10s), 128 + SIGKILL);
  const auto killed = std::chrono::steady_clock::now();

  nlohmann::json silent;
  ASSERT_TRUE(WaitUntil(10s, [&] {
    agents = ListAgents();
    if (agents["exch-a"]["health"] != "silent") return false;
    silent = agents["exch-a"];
    return true;
  })) << correlator_->Output();
  const double age = silent["last_seen_age_seconds"].get<double>();
  const double after_kill =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::printf("[ figures ] silent reported %.2f s after the last heartbeat (%.2f s after the kill); "
              "interval 1 s, silent after 2 intervals\n", age, after_kill);
  EXPECT_LE(age, 3.0) << "reported silent later than three heartbeat intervals";
  EXPECT_GT(age, 2.0) << "reported silent before two intervals passed";
  EXPECT_EQ(agents["exch-b"]["health"], "ok");

  // The alert took the rule alerts' path: every sink (stdout JSON lines), the live feed, the store.
  ASSERT_TRUE(WaitUntil(10s, [&] { return !AlertLines("tripline-fleet-agent-silent").empty(); }))
      << correlator_->Output();
  EXPECT_EQ(feed.Wait(20s), 0) << feed.Output();
  auto live = nlohmann::json::parse(feed.Output(), nullptr, false);
  ASSERT_FALSE(live.is_discarded()) << feed.Output();
  EXPECT_EQ(live["rule"]["id"], "tripline-fleet-agent-silent");
  // Several more checks and heartbeat intervals: still one alert, and exch-b still ok.
  std::this_thread::sleep_for(4s);
  std::vector<nlohmann::json> alerts = AlertLines("tripline-fleet-agent-silent");
  ASSERT_EQ(alerts.size(), 1u) << correlator_->Output();
  const nlohmann::json& alert = alerts[0];
  EXPECT_EQ(alert["rule"]["name"], "Tripline agent silent") << alert.dump();
  EXPECT_EQ(alert["host"]["name"], "exch-a.contoso.local") << alert.dump();
  EXPECT_NE(alert.dump().find("T1562.001"), std::string::npos) << alert.dump();
  EXPECT_NE(alert.dump().find("exch-a"), std::string::npos);
  agents = ListAgents();
  EXPECT_EQ(agents["exch-a"]["health"], "silent");
  EXPECT_EQ(agents["exch-b"]["health"], "ok");
  EXPECT_LT(agents["exch-b"]["last_seen_age_seconds"].get<double>(), 2.0);

  // The store has it: `tripline alerts show` finds it by id.
  const std::string alert_id = alert["event"]["id"].get<std::string>();
  EXPECT_EQ(live["event"]["id"], alert_id);
  Process show({TRIPLINE_TRIPLINE_BIN, "alerts", "show", alert_id, "--server", server_},
               dir_.File("show.out"));
  EXPECT_EQ(show.Wait(20s), 0) << show.Output();
  EXPECT_NE(show.Output().find("Tripline agent silent"), std::string::npos) << show.Output();
  EXPECT_NE(show.Output().find("HIGH"), std::string::npos) << show.Output();

  // The table for humans says the same.
  Process table({TRIPLINE_TRIPLINE_BIN, "agents", "list", "--server", server_},
                dir_.File("table.out"));
  ASSERT_EQ(table.Wait(20s), 0) << table.Output();
  EXPECT_NE(table.Output().find("LAST SEEN"), std::string::npos) << table.Output();
  EXPECT_TRUE(std::regex_search(table.Output(), std::regex("exch-a +exch-a.contoso.local.*silent")))
      << table.Output();
  EXPECT_TRUE(std::regex_search(table.Output(), std::regex("exch-b .* ok\n"))) << table.Output();
  EXPECT_NE(correlator_->Output().find("fleet: agent exch-a (host exch-a.contoso.local) is silent"),
            std::string::npos);
}

}  // namespace
}  // namespace tripline
