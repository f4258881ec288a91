// The _bulk alert sink (outputs.elasticsearch) against a real OpenSearch 2.19 node
// (scripts/opensearch.sh, a ctest fixture shared by these tests) and a real Kafka broker: the
// correlator binary consumes events that fire a rule, and the tests look at what OpenSearch holds.
// Each test writes to an index of its own; the kill test runs alone (RESOURCE_LOCK opensearch).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
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
using testing::WaitUntil;

const char* kShellRule =
    "title: OWA web shell request\nid: os-rule-1\nstatus: test\n"
    "logsource: {category: webserver, product: windows}\n"
    "detection:\n  sel:\n    cs-uri-stem|endswith: /RedirSuiteServerProxy.aspx\n"
    "  condition: sel\nlevel: critical\ntags: [attack.persistence, attack.t1505.003]\n";

std::string OpenSearchDir() {
  const char* dir = std::getenv("TRIPLINE_OPENSEARCH_DIR");
  return dir == nullptr ? "" : dir;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Runs scripts/opensearch.sh on the fixture node (kill, restart).
bool NodeCommand(const std::string& cmd) {
  std::string line =
      TRIPLINE_SOURCE_DIR "/scripts/opensearch.sh " + cmd + " '" + OpenSearchDir() + "'";
  return std::system(line.c_str()) == 0;
}

// A request to the node with the test's own dumb client (not the sink's).
std::optional<testing::TestResponse> Os(const std::string& method, const std::string& path,
                                        const std::string& body = "") {
  std::string url = Trimmed(ReadFile(OpenSearchDir() + "/url"));
  auto port = static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  testing::TestHttpClient client(port);
  if (!client.connected()) return std::nullopt;
  std::string head = testing::TestHttpClient::Request(
      method, path,
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n");
  if (!client.Send(head + body)) return std::nullopt;
  return client.ReadResponse(30s);
}

// Documents in `index` after a refresh; -1 when the node does not answer.
int64_t Count(const std::string& index) {
  auto r = Os("POST", "/" + index + "/_refresh");
  if (!r || r->status != 200) return r && r->status == 404 ? 0 : -1;
  r = Os("GET", "/" + index + "/_count");
  if (!r || r->status != 200) return -1;
  return nlohmann::json::parse(r->body)["count"].get<int64_t>();
}

// Every hit of `index` (refreshed first), with its _id, _version and _source.
nlohmann::json Hits(const std::string& index) {
  Os("POST", "/" + index + "/_refresh");
  auto r = Os("GET", "/" + index + "/_search?size=10000&version=true");
  if (!r || r->status != 200) return nlohmann::json::array();
  return nlohmann::json::parse(r->body)["hits"]["hits"];
}

// What the sink logged as resends answered 409 (alerts already there), summed.
size_t AlreadyIndexed(const std::string& log) {
  size_t n = 0;
  const std::string what = " alert(s) were already indexed";
  for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) {
    n += std::stoul(log.substr(log.rfind(' ', at - 1) + 1));
  }
  return n;
}

v1::Event Request(const std::string& id, const std::string& host, const std::string& path) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_id(host);
  e.mutable_host()->set_name(host);
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(1614913587);
  e.mutable_http()->set_method("GET");
  e.mutable_http()->set_url_path(path);
  e.mutable_http()->set_status_code(200);
  return e;
}

class OpenSearchSink : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    ASSERT_FALSE(OpenSearchDir().empty());
    std::string s = testing::UniqueSuffix();
    topic_ = "os.events." + s;
    index_ = "logs-tripline.alert-" + s;
    url_ = Trimmed(ReadFile(OpenSearchDir() + "/url"));
    dir_.Write("rules/shell.yml", kShellRule);
    config_ = "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: os-" + s +
              "\n  events_topic: " + topic_ +
              "\n  alerts_topic: \"\"\n"
              "rules:\n  paths: [" +
              dir_.File("rules") +
              "]\n"
              "  field_map: " TRIPLINE_SOURCE_DIR
              "/config/field_map.yaml\n"
              "api:\n  listen: \"\"\nmetrics:\n  listen: 127.0.0.1:0\n"
              "correlator:\n  commit_interval_ms: 200\n  state_dir: " +
              dir_.File("state") +
              "\n"
              "outputs:\n  jsonl: " +
              dir_.File("alerts.jsonl") +
              "\n"
              "  elasticsearch:\n    url: " +
              url_ + "\n";
  }
  void TearDown() override {
    if (!correlator_) return;
    correlator_->Signal(SIGTERM);
    EXPECT_EQ(correlator_->Wait(60s), 0) << correlator_->Output();
  }
  void StartCorrelator(const std::string& es_extra) {
    dir_.Write("correlator.yaml", config_ + es_extra);
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
    ASSERT_TRUE(WaitUntil(30s, [&] {
      return correlator_->Output().find("correlator in group") != std::string::npos;
    })) << correlator_->Output();
  }
  void Produce(const std::vector<v1::Event>& events) {
    std::vector<testing::KafkaRecord> records;
    for (const auto& e : events) records.push_back({e.host().id(), e.SerializeAsString()});
    ASSERT_TRUE(testing::ProduceRecords(bootstrap_, topic_, records));
  }
  // The alerts the correlator raised (its JSON lines output), by alert id.
  std::map<std::string, nlohmann::json> Raised() {
    std::map<std::string, nlohmann::json> out;
    for (const auto& line : testing::NonEmptyLines(ReadFile(dir_.File("alerts.jsonl")))) {
      auto doc = nlohmann::json::parse(line);
      out[doc["tripline"]["alert_id"]] = doc;
    }
    return out;
  }

  testing::TempDir dir_;
  std::string bootstrap_, topic_, index_, url_, config_;
  std::unique_ptr<Process> correlator_;
};

TEST_F(OpenSearchSink, EveryAlertIsADocumentWithItsIdAndEcsFields) {
  // No index key: the default, data-stream friendly name. Other tests use their own indexes.
  index_ = "logs-tripline.alert-default";
  Os("DELETE", "/" + index_);
  StartCorrelator("");
  std::vector<v1::Event> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(Request("ev-shell-" + std::to_string(i), "EXCH0" + std::to_string(i),
                             "/owa/auth/RedirSuiteServerProxy.aspx"));
  }
  events.push_back(Request("ev-benign", "EXCH01", "/owa/auth/logon.aspx"));
  Produce(events);
  ASSERT_TRUE(WaitUntil(60s, [&] { return Raised().size() == 5; })) << correlator_->Output();
  ASSERT_TRUE(WaitUntil(60s, [&] { return Count(index_) == 5; })) << Count(index_) << "\n"
                                                                  << correlator_->Output();

  auto raised = Raised();
  nlohmann::json hits = Hits(index_);
  ASSERT_EQ(hits.size(), 5u);
  for (const auto& hit : hits) {
    const std::string id = hit["_id"];
    ASSERT_EQ(raised.count(id), 1u) << id;
    const nlohmann::json& src = hit["_source"];
    EXPECT_EQ(hit["_index"], index_);
    EXPECT_EQ(hit["_version"], 1);
    EXPECT_EQ(src["event"]["kind"], "alert");
    EXPECT_EQ(src["event"]["id"], id);
    EXPECT_EQ(src["rule"]["name"], "OWA web shell request");
    EXPECT_EQ(src["rule"]["id"], "os-rule-1");
    EXPECT_EQ(src["threat"]["technique"]["id"], nlohmann::json::array({"T1505.003"}));
    EXPECT_EQ(src["host"]["name"], raised[id]["host"]["name"]);
    EXPECT_EQ(src["ecs"]["version"], "9.4.0");
    EXPECT_EQ(src, raised[id]);  // the same ECS document as the other sinks
  }
  std::set<std::string> hosts;
  for (const auto& hit : hits) hosts.insert(hit["_source"]["host"]["name"].get<std::string>());
  EXPECT_EQ(hosts, (std::set<std::string>{"EXCH00", "EXCH01", "EXCH02", "EXCH03", "EXCH04"}));
  // The cluster recognised @timestamp as a date (dynamic mapping): time-based views work.
  auto mapping = Os("GET", "/" + index_ + "/_mapping/field/event.kind,@timestamp");
  ASSERT_TRUE(mapping.has_value());
  EXPECT_NE(mapping->body.find("\"type\":\"date\""), std::string::npos) << mapping->body;

  // A replay (a new group and state read the topic again: the same alerts, the same ids, as after
  // a crash before a checkpoint) adds nothing: every resend answers 409.
  correlator_->Signal(SIGTERM);
  ASSERT_EQ(correlator_->Wait(60s), 0) << correlator_->Output();
  config_ =
      std::regex_replace(config_, std::regex("group_id: (os-[^\\n]*)"), "group_id: $1-replay");
  config_ = std::regex_replace(config_, std::regex("state_dir: ([^\\n]*)"), "state_dir: $1-replay");
  StartCorrelator("");
  ASSERT_TRUE(WaitUntil(60s, [&] { return AlreadyIndexed(correlator_->Output()) == 5; }))
      << correlator_->Output();
  EXPECT_EQ(Count(index_), 5);
  for (const auto& hit : Hits(index_)) EXPECT_EQ(hit["_version"], 1);
  Os("DELETE", "/" + index_);
}

// 200 alerts; OpenSearch is killed -9 while they arrive and stays down 60 s, then comes back on
// the same data. Every alert must end up there once: the outbox holds them meanwhile and the
// resends of alerts whose request was cut off answer 409 (same _id).
TEST_F(OpenSearchSink, BurstSurvivesAKillAndAMinuteDown) {
  StartCorrelator("    index: " + index_ + "\n");
  constexpr int kAlerts = 200;
  std::thread producer([&] {
    for (int i = 0; i < kAlerts; i += 5) {
      std::vector<v1::Event> events;
      for (int j = i; j < i + 5; ++j) {
        events.push_back(Request("ev-burst-" + std::to_string(j), "HOST" + std::to_string(j % 7),
                                 "/owa/auth/RedirSuiteServerProxy.aspx"));
      }
      Produce(events);
      std::this_thread::sleep_for(50ms);
    }
  });
  int64_t before = 0;
  bool some_in = WaitUntil(60s, [&] { return (before = Count(index_)) >= 20; });
  auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(NodeCommand("kill"));
  producer.join();
  ASSERT_TRUE(some_in) << correlator_->Output();
  std::this_thread::sleep_for(60s);
  auto restart_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(NodeCommand("restart"));
  auto up_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil(180s, [&] { return Count(index_) == kAlerts; })) << Count(index_) << "\n"
                                                                         << correlator_->Output();
  auto all_at = std::chrono::steady_clock::now();

  auto raised = Raised();
  EXPECT_EQ(raised.size(), static_cast<size_t>(kAlerts));
  nlohmann::json hits = Hits(index_);
  ASSERT_EQ(hits.size(), static_cast<size_t>(kAlerts));
  std::set<std::string> ids, events;
  for (const auto& hit : hits) {
    ids.insert(hit["_id"].get<std::string>());
    EXPECT_EQ(hit["_version"], 1) << hit["_id"];  // created once, never overwritten
    EXPECT_EQ(raised.count(hit["_id"]), 1u) << hit["_id"];
    for (const auto& e : hit["_source"]["tripline"]["event_ids"])
      events.insert(e.get<std::string>());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kAlerts));     // no duplicate ids
  EXPECT_EQ(events.size(), static_cast<size_t>(kAlerts));  // each event behind one alert
  // Resends of alerts that were in already (a request cut off by the kill) answer 409.
  const size_t conflicts = AlreadyIndexed(correlator_->Output());
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf(
      "figures: %d alerts, %lld indexed before kill -9, down %.1f s (restart took %.1f s), "
      "all indexed %.1f s after the node was back, %zu documents, %zu duplicates, "
      "%zu resent alerts answered 409\n",
      kAlerts, static_cast<long long>(before), secs(up_at - killed_at), secs(up_at - restart_at),
      secs(all_at - up_at), hits.size(), hits.size() - ids.size(), conflicts);
  Os("DELETE", "/" + index_);
}

// The index maps host.name as a number: the alert from host EXCH01 cannot be indexed (400
// mapper_parsing_exception). It is dead-lettered, counted and logged, the others index, and the
// sink goes on with later alerts instead of retrying it forever.
TEST_F(OpenSearchSink, ARejectedDocumentIsDeadLetteredWhileTheOthersIndex) {
  auto created =
      Os("PUT", "/" + index_,
         R"({"mappings":{"properties":{"host":{"properties":{"name":{"type":"long"}}}}}})");
  ASSERT_TRUE(created && created->status == 200) << (created ? created->body : "no answer");
  StartCorrelator("    index: " + index_ + "\n");
  const std::string shell = "/owa/auth/RedirSuiteServerProxy.aspx";
  Produce({Request("ev-1", "101", shell), Request("ev-2", "102", shell),
           Request("ev-3", "EXCH01", shell), Request("ev-4", "103", shell)});
  ASSERT_TRUE(WaitUntil(60s, [&] { return Raised().size() == 4; })) << correlator_->Output();
  std::string rejected;
  for (const auto& [id, doc] : Raised()) {
    if (doc["host"]["name"] == "EXCH01") rejected = id;
  }
  ASSERT_FALSE(rejected.empty());
  ASSERT_TRUE(WaitUntil(60s, [&] {
    return correlator_->Output().find("alert " + rejected + " dead-lettered") != std::string::npos;
  })) << correlator_->Output();
  const std::string out = correlator_->Output();
  EXPECT_NE(out.find("mapper_parsing_exception"), std::string::npos) << out;
  EXPECT_NE(out.find("(1 dead-lettered so far)"), std::string::npos) << out;
  ASSERT_TRUE(WaitUntil(30s, [&] { return Count(index_) == 3; })) << Count(index_);

  // Not retried forever: a later alert gets in, and the rejected one is still not there.
  Produce({Request("ev-5", "104", shell)});
  ASSERT_TRUE(WaitUntil(60s, [&] { return Count(index_) == 4; })) << correlator_->Output();
  for (const auto& hit : Hits(index_)) EXPECT_NE(hit["_id"], rejected);
  EXPECT_EQ(Count(index_), 4);
  auto dead = Os("GET", "/" + index_ + "/_doc/" + rejected);
  ASSERT_TRUE(dead.has_value());
  EXPECT_EQ(dead->status, 404);
  // ... and counted where Prometheus looks (updated between the correlator's batches).
  std::string metrics =
      testing::WaitForOutput(*correlator_, "127\\.0\\.0\\.1:([0-9]+)/metrics", 30s);
  ASSERT_FALSE(metrics.empty()) << correlator_->Output();
  const auto port = static_cast<uint16_t>(std::stoi(metrics));
  EXPECT_TRUE(WaitUntil(30s, [&] {
    return testing::ScrapeMetric(port, "tripline_correlator_sink_receiver_events_total{sink=\"elasticsearch\",counter=\"dead_lettered\"}") == 1;
  })) << testing::ScrapeMetric(port, "tripline_correlator_sink_receiver_events_total{sink=\"elasticsearch\",counter=\"dead_lettered\"}");
  // The outbox lets go of a dead-lettered alert after the sink counted it, and /metrics is
  // refreshed between batches: one refresh may show the count with the alert still pending.
  const std::string pending = "tripline_correlator_outbox_pending_alerts{sink=\"elasticsearch\"}";
  EXPECT_TRUE(WaitUntil(30s, [&] { return testing::ScrapeMetric(port, pending) == 0; }))
      << testing::ScrapeMetric(port, pending);
  Os("DELETE", "/" + index_);
}

}  // namespace
}  // namespace tripline
