// The correlator's crash-safe state against a real Kafka broker (DESIGN.md §4): a web-shell chain
// whose steps arrive on both sides of a kill -9 still raises its alert once, and when one of two
// group members dies its partitions and their pending state move to the other one.
// Events are produced straight onto the events topic (as the agent would, keyed by host).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
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

// The web-shell chain as a Tripline sequence: an .aspx written into a web folder, then requested
// over HTTP, then w3wp starting a shell, on one host.
const char* kRules = TRIPLINE_SOURCE_DIR "/config/rules/hafnium/webshell_write_request_spawn.yml";

int64_t Seconds(int64_t s) { return 1614913200 + s; }  // 2021-03-05 03:00:00 UTC + s

v1::Event Envelope(const std::string& host, const std::string& id, int64_t at) {
  v1::Event e;
  e.set_event_id(id + "-" + host);
  e.set_agent_id(host);
  e.mutable_host()->set_id(host);
  e.mutable_host()->set_name(host);
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(Seconds(at));
  e.mutable_observed_time()->set_seconds(Seconds(at));
  return e;
}

v1::Event ShellWritten(const std::string& host, int64_t at) {
  v1::Event e = Envelope(host, "write", at);
  v1::FileChange* f = e.mutable_file();
  f->set_action(v1::FileChange::ACTION_CREATED);
  f->set_path("C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\" + host + ".aspx");
  f->set_name(host + ".aspx");
  f->set_extension("aspx");
  return e;
}

v1::Event ShellRequested(const std::string& host, int64_t at) {
  v1::Event e = Envelope(host, "request", at);
  v1::HttpRequest* h = e.mutable_http();
  h->set_method("POST");
  h->set_url_path("/aspnet_client/system_web/" + host + ".aspx");
  h->set_source_ip("203.0.113.9");
  h->set_status_code(200);
  return e;
}

v1::Event ShellSpawned(const std::string& host, int64_t at) {
  v1::Event e = Envelope(host, "spawn", at);
  v1::ProcessStart* p = e.mutable_process();
  p->mutable_parent()->set_executable("C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  p->mutable_parent()->set_name("w3wp.exe");
  p->mutable_process()->set_executable("C:\\Windows\\System32\\cmd.exe");
  p->mutable_process()->set_name("cmd.exe");
  p->mutable_process()->set_command_line("cmd /c whoami");
  return e;
}

std::vector<std::string> Lines(const std::string& text) { return testing::NonEmptyLines(text); }

class CorrelatorState : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty()) << "TRIPLINE_KAFKA_DIR must point at a started broker";
    std::string s = testing::UniqueSuffix();
    topic_ = "state.events." + s;
    group_ = "state-" + s;
  }

  // Each member writes its own alerts file; the state folder is shared.
  std::unique_ptr<Process> StartMember(const std::string& name) {
    dir_.Write(name + ".yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: " + group_ +
                   "\n  events_topic: " + topic_ + "\n  alerts_topic: \"\"\n"
                   "  topic_partitions: 4\n"
                   "  properties:\n    session.timeout.ms: \"6000\"\n"
                   "rules:\n  paths: [" + std::string(kRules) + "]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  jsonl: " + dir_.File(name + ".alerts.jsonl") + "\n"
                   "api:\n  listen: \"\"\nmetrics:\n  listen: 127.0.0.1:0\n"
                   "correlator:\n  workers: 2\n  commit_interval_ms: 200\n  state_dir: " +
                   dir_.File("state") +
                   "\n");
    return std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File(name + ".yaml")},
        dir_.File(name + ".out"));
  }

  void Produce(const std::vector<v1::Event>& events) {
    std::vector<testing::KafkaRecord> records;
    for (const auto& e : events) records.push_back({e.host().id(), e.SerializeAsString()});
    ASSERT_TRUE(testing::ProduceRecords(bootstrap_, topic_, records));
  }

  // Waits until the group committed offsets covering `count` records over the 4 partitions:
  // the correlator checkpoints before it commits, so the state behind them is on disk.
  bool WaitCommitted(int64_t count) {
    return WaitUntil(60s, [&] {
      int64_t sum = 0;
      for (int p = 0; p < 4; ++p) {
        sum += std::max<int64_t>(0, testing::CommittedOffset(bootstrap_, group_, topic_, p));
      }
      return sum >= count;
    });
  }

  std::vector<nlohmann::json> Alerts(const std::vector<std::string>& members) {
    std::vector<nlohmann::json> out;
    for (const auto& m : members) {
      for (const auto& l : Lines(ReadFile(dir_.File(m + ".alerts.jsonl")))) {
        out.push_back(nlohmann::json::parse(l));
      }
    }
    return out;
  }

  TempDir dir_;
  std::string bootstrap_, topic_, group_;
};

TEST_F(CorrelatorState, KillDashNineBetweenStepsOfASequenceStillRaisesTheAlertOnce) {
  auto member = StartMember("a");
  Produce({ShellWritten("EXCH01", 0)});  // step 1
  ASSERT_TRUE(WaitCommitted(1)) << member->Output();
  member->Signal(SIGKILL);
  EXPECT_EQ(member->Wait(10s), 128 + SIGKILL);
  Produce({ShellRequested("EXCH01", 30)});  // step 2 while it is down
  member = StartMember("a");
  ASSERT_TRUE(WaitCommitted(2)) << member->Output();
  Produce({ShellSpawned("EXCH01", 45)});  // step 3
  ASSERT_TRUE(WaitUntil(60s, [&] { return !Alerts({"a"}).empty(); })) << member->Output();
  ASSERT_TRUE(WaitCommitted(3));
  member->Signal(SIGTERM);
  EXPECT_EQ(member->Wait(30s), 0) << member->Output();
  auto alerts = Alerts({"a"});
  ASSERT_EQ(alerts.size(), 1u) << ReadFile(dir_.File("a.alerts.jsonl"));
  EXPECT_EQ(alerts[0]["host"]["name"], "EXCH01");
  EXPECT_EQ(alerts[0]["tripline"]["event_ids"].size(), 3u);
  EXPECT_NE(member->Output().find("resuming at offset"), std::string::npos) << member->Output();
}

TEST_F(CorrelatorState, TwoMembersShareThePartitionsAndASurvivorTakesOverTheDeadOnesState) {
  const std::vector<std::string> hosts = {"EXCH01", "EXCH02", "EXCH03", "EXCH04",
                                          "EXCH05", "EXCH06", "EXCH07", "EXCH08"};
  auto a = StartMember("a");
  ASSERT_TRUE(WaitUntil(30s, [&] { return a->Output().find("assigned partitions") !=
                                          std::string::npos; }));
  auto b = StartMember("b");
  // Both members own partitions before the first step arrives.
  ASSERT_TRUE(WaitUntil(60s, [&] {
    return b->Output().find("assigned partitions [") != std::string::npos &&
           b->Output().find("assigned partitions []") == std::string::npos;
  })) << a->Output() << b->Output();
  std::vector<v1::Event> step1;
  for (const auto& h : hosts) step1.push_back(ShellWritten(h, 0));
  Produce(step1);
  ASSERT_TRUE(WaitCommitted(static_cast<int64_t>(hosts.size())));
  a->Signal(SIGKILL);
  EXPECT_EQ(a->Wait(10s), 128 + SIGKILL);
  // b takes every partition once the group notices (session timeout) and resumes a's state.
  ASSERT_TRUE(WaitUntil(60s, [&] { return b->Output().find("assigned partitions [0,1,2,3]") !=
                                          std::string::npos; })) << b->Output();
  std::vector<v1::Event> rest;
  for (const auto& h : hosts) {
    rest.push_back(ShellRequested(h, 30));
    rest.push_back(ShellSpawned(h, 40));
  }
  Produce(rest);
  ASSERT_TRUE(WaitUntil(60s, [&] { return Alerts({"a", "b"}).size() >= hosts.size(); }))
      << b->Output();
  ASSERT_TRUE(WaitCommitted(static_cast<int64_t>(3 * hosts.size())));
  b->Signal(SIGTERM);
  EXPECT_EQ(b->Wait(30s), 0) << b->Output();
  // b resumed the partitions it took over from their checkpoints (a's state).
  EXPECT_NE(b->Output().find("with its checkpointed state"), std::string::npos) << b->Output();
  // With four partitions over two worker threads, both evaluated events.
  std::smatch by_worker;
  std::string out = b->Output();
  ASSERT_TRUE(std::regex_search(out, by_worker, std::regex("events by worker \\[([0-9]+),([0-9]+)\\]")))
      << out;
  EXPECT_GT(std::stoi(by_worker[1]), 0) << out;
  EXPECT_GT(std::stoi(by_worker[2]), 0) << out;
  std::map<std::string, int> per_host;
  for (const auto& alert : Alerts({"a", "b"})) ++per_host[alert["host"]["name"]];
  EXPECT_EQ(per_host.size(), hosts.size());
  for (const auto& [host, n] : per_host) EXPECT_EQ(n, 1) << host;
}

}  // namespace
}  // namespace tripline
