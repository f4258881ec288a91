// The Splunk HEC alert sink against a real HEC receiver: the OpenTelemetry Collector's
// splunkhecreceiver with indexer acknowledgement (scripts/otelcol.sh), fed by the real correlator
// consuming from the fixture Kafka broker. Assertions are on what the receiver wrote out: every
// alert arrives, with its envelope metadata and CIM fields, acknowledged; and none is lost while
// the receiver is killed and down for a minute.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <map>
#include <regex>
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
using testing::WaitUntil;

const char* kRule =
    "title: OWA web shell request\nid: hec-rule-1\nstatus: test\n"
    "logsource: {category: webserver, product: windows}\n"
    "detection:\n  sel:\n    cs-uri-stem|endswith: /RedirSuiteServerProxy.aspx\n"
    "  condition: sel\nlevel: critical\ntags: [attack.persistence, attack.t1505.003]\n";
const char* kToken = "6f1c2a4e-0b7d-4c55-9a1e-3f2b8d9c7e10";

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

// One collector run by scripts/otelcol.sh in `dir`; stopped (and never left running) when the
// object dies.
class HecReceiver {
 public:
  explicit HecReceiver(std::string dir) : dir_(std::move(dir)) {}
  ~HecReceiver() { Run("stop"); }
  bool Start() {
    if (!Run("start")) return false;
    endpoint_ = ReadFile(dir_ + "/endpoint");
    while (!endpoint_.empty() && endpoint_.back() == '\n') endpoint_.pop_back();
    return !endpoint_.empty();
  }
  bool Kill() { return Run("kill"); }
  bool Restart() { return Run("restart"); }
  const std::string& endpoint() const { return endpoint_; }

  // Every log record the receiver wrote: its resource attributes and body as plain JSON.
  struct Record {
    nlohmann::json resource;
    nlohmann::json body;
  };
  std::vector<Record> Records() const {
    std::vector<Record> out;
    for (const std::string& line : testing::NonEmptyLines(ReadFile(dir_ + "/events.jsonl"))) {
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (doc.is_discarded()) continue;  // a line still being written
      for (const auto& rl : doc.value("resourceLogs", nlohmann::json::array())) {
        nlohmann::json resource = Attributes(rl["resource"].value("attributes", nlohmann::json()));
        for (const auto& sl : rl.value("scopeLogs", nlohmann::json::array())) {
          for (const auto& lr : sl.value("logRecords", nlohmann::json::array())) {
            out.push_back({resource, Plain(lr["body"])});
          }
        }
      }
    }
    return out;
  }
  // Alert id -> how many times it arrived.
  std::map<std::string, int> AlertCounts() const {
    std::map<std::string, int> counts;
    for (const Record& r : Records()) {
      if (r.body.is_object() && r.body.contains("id")) ++counts[r.body["id"].get<std::string>()];
    }
    return counts;
  }

 private:
  bool Run(const std::string& verb) {
    std::string cmd = TRIPLINE_SOURCE_DIR "/scripts/otelcol.sh " + verb + " '" + dir_ + "'";
    return std::system(cmd.c_str()) == 0;
  }
  // OTLP JSON AnyValue -> plain JSON.
  static nlohmann::json Plain(const nlohmann::json& v) {
    if (v.contains("stringValue")) return v["stringValue"];
    if (v.contains("boolValue")) return v["boolValue"];
    if (v.contains("intValue")) return std::stoll(v["intValue"].get<std::string>());
    if (v.contains("doubleValue")) return v["doubleValue"];
    if (v.contains("arrayValue")) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : v["arrayValue"].value("values", nlohmann::json::array())) {
        a.push_back(Plain(x));
      }
      return a;
    }
    if (v.contains("kvlistValue")) return Attributes(v["kvlistValue"].value("values", nlohmann::json()));
    return nullptr;
  }
  static nlohmann::json Attributes(const nlohmann::json& kvs) {
    nlohmann::json o = nlohmann::json::object();
    if (!kvs.is_array()) return o;
    for (const auto& kv : kvs) o[kv["key"].get<std::string>()] = Plain(kv["value"]);
    return o;
  }

  std::string dir_;
  std::string endpoint_;
};

v1::Event ShellRequest(const std::string& id) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_id("EXCH01");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(1614913587);
  e.mutable_http()->set_method("POST");
  e.mutable_http()->set_url_path("/owa/auth/RedirSuiteServerProxy.aspx");
  e.mutable_http()->set_source_ip("203.0.113.9");
  e.mutable_http()->set_user_name("CONTOSO\\eve");
  e.mutable_http()->set_status_code(200);
  return e;
}

class SplunkHec : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    receiver_ = std::make_unique<HecReceiver>(dir_.File("hec"));
    ASSERT_TRUE(receiver_->Start());
    std::string s = testing::UniqueSuffix();
    topic_ = "hec.events." + s;
    dir_.Write("rules/shell.yml", kRule);
    dir_.Write("hec.token", std::string(kToken) + "\n");
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: hec-" + s +
                   "\n  events_topic: " + topic_ + "\n  alerts_topic: \"\"\n"
                   "rules:\n  paths: [rules]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  jsonl: alerts.jsonl\n"
                   "  splunk_hec:\n    url: " + receiver_->endpoint() +
                   "\n    token_file: hec.token\n    index: security\n    source: tripline-it\n"
                   "    ack: true\n    ack_timeout_ms: 5000\n    batch_max_bytes: 65536\n"
                   "api:\n  listen: \"\"\nmetrics:\n  listen: \"\"\n"
                   "correlator:\n  commit_interval_ms: 200\n  state_dir: state\n"
                   "log:\n  level: debug\n");
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
  }
  void TearDown() override {
    if (correlator_ && correlator_->running()) {
      correlator_->Signal(SIGTERM);
      EXPECT_EQ(correlator_->Wait(60s), 0) << Tail();
    }
    receiver_.reset();  // stops the collector
  }
  void Produce(int from, int to) {
    std::vector<testing::KafkaRecord> records;
    for (int i = from; i < to; ++i) {
      records.push_back({"EXCH01", ShellRequest("ev-" + std::to_string(i)).SerializeAsString()});
    }
    ASSERT_TRUE(testing::ProduceRecords(bootstrap_, topic_, records));
  }
  // The alert ids the correlator raised (its JSON lines sink).
  std::set<std::string> Raised() {
    std::set<std::string> ids;
    for (const auto& line : testing::NonEmptyLines(ReadFile(dir_.File("alerts.jsonl")))) {
      auto doc = nlohmann::json::parse(line, nullptr, false);
      if (!doc.is_discarded()) ids.insert(doc["event"]["id"].get<std::string>());
    }
    return ids;
  }
  std::string Tail() {
    std::string out = correlator_->Output();
    return out.size() > 6000 ? out.substr(out.size() - 6000) : out;
  }
  // The sink's totals, logged when the correlator stops.
  std::smatch StopSummary(const std::string& out) {
    std::smatch m;
    std::regex re("splunk_hec: ([0-9]+) alert\\(s\\) sent in ([0-9]+) request\\(s\\); ([0-9]+) "
                  "alert\\(s\\) acknowledged in ([0-9]+) request\\(s\\); ([0-9]+) resent "
                  "\\(([0-9]+) ack timeout\\(s\\)\\); ([0-9]+) dead-lettered");
    EXPECT_TRUE(std::regex_search(out, m, re)) << out.substr(out.size() > 6000 ? out.size() - 6000 : 0);
    return m;
  }

  testing::TempDir dir_;
  std::string bootstrap_, topic_;
  std::unique_ptr<HecReceiver> receiver_;
  std::unique_ptr<Process> correlator_;
};

TEST_F(SplunkHec, EveryAlertArrivesWithItsEnvelopeAndCimFieldsAndIsAcknowledged) {
  Produce(0, 5);
  ASSERT_TRUE(WaitUntil(60s, [&] { return Raised().size() == 5; })) << Tail();
  const std::set<std::string> raised = Raised();
  ASSERT_TRUE(WaitUntil(60s, [&] { return receiver_->AlertCounts().size() == 5; })) << Tail();

  std::set<std::string> received;
  for (const auto& r : receiver_->Records()) {
    SCOPED_TRACE(r.body.dump());
    received.insert(r.body["id"].get<std::string>());
    EXPECT_EQ(r.resource["com.splunk.sourcetype"], "tripline:alert");
    EXPECT_EQ(r.resource["com.splunk.index"], "security");
    EXPECT_EQ(r.resource["com.splunk.source"], "tripline-it");
    EXPECT_EQ(r.resource["host.name"], "EXCH01");
    EXPECT_EQ(r.body["app"], "tripline");
    EXPECT_EQ(r.body["type"], "alert");
    EXPECT_EQ(r.body["signature"], "OWA web shell request");
    EXPECT_EQ(r.body["signature_id"], "hec-rule-1");
    EXPECT_EQ(r.body["severity"], "critical");
    EXPECT_EQ(r.body["dest"], "EXCH01");
    EXPECT_EQ(r.body["src"], "203.0.113.9");
    EXPECT_EQ(r.body["user"], "CONTOSO\\eve");
    EXPECT_EQ(r.body["mitre_technique_id"], nlohmann::json({"T1505.003"}));
    EXPECT_EQ(r.body["ecs"]["rule"]["id"], "hec-rule-1");
    EXPECT_EQ(r.body["ecs"]["event"]["kind"], "alert");
  }
  EXPECT_EQ(received, raised);

  // Acknowledgement was real: every request was acknowledged by the receiver's ack endpoint
  // (the sink counts an ack only when /services/collector/ack reported it true).
  correlator_->Signal(SIGTERM);
  ASSERT_EQ(correlator_->Wait(60s), 0) << Tail();
  std::string out = correlator_->Output();
  std::smatch m = StopSummary(out);
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(std::stoi(m[1]), 5);                 // sent
  EXPECT_EQ(std::stoi(m[3]), 5);                 // acknowledged
  EXPECT_EQ(std::stoi(m[4]), std::stoi(m[2]));   // every request acknowledged
  EXPECT_EQ(std::stoi(m[7]), 0);                 // nothing dead-lettered
  EXPECT_NE(out.find("acknowledged"), std::string::npos);
}

TEST_F(SplunkHec, NoAlertIsLostWhileTheReceiverIsKilledAndDownForAMinute) {
  constexpr int kAlerts = 200;
  Produce(0, kAlerts / 2);
  // Some alerts are in; then the receiver dies (kill -9) in the middle of the burst.
  ASSERT_TRUE(WaitUntil(60s, [&] { return !receiver_->AlertCounts().empty(); })) << Tail();
  // The second half goes in small steps while the receiver is killed, so that requests are in
  // flight (sent, not yet acknowledged) when it dies.
  std::thread producer([&] {
    for (int i = kAlerts / 2; i < kAlerts; i += 10) {
      Produce(i, i + 10);
      std::this_thread::sleep_for(30ms);
    }
  });
  std::this_thread::sleep_for(100ms);
  size_t before_kill = receiver_->AlertCounts().size();
  const bool killed_ok = receiver_->Kill();
  const auto killed = std::chrono::steady_clock::now();
  producer.join();
  ASSERT_TRUE(killed_ok);
  std::this_thread::sleep_until(killed + 60s);
  // While it was down the correlator kept every alert and kept retrying.
  EXPECT_NE(correlator_->Output().find("splunk_hec:"), std::string::npos);
  ASSERT_TRUE(receiver_->Restart());
  const auto restarted = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil(120s, [&] { return Raised().size() == kAlerts; })) << Tail();
  const std::set<std::string> raised = Raised();
  ASSERT_TRUE(WaitUntil(180s, [&] {
    auto counts = receiver_->AlertCounts();
    return std::all_of(raised.begin(), raised.end(),
                       [&](const std::string& id) { return counts.count(id) > 0; });
  })) << "received " << receiver_->AlertCounts().size() << " of " << raised.size() << "\n"
      << Tail();
  const double catch_up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
  auto counts = receiver_->AlertCounts();
  int duplicates = 0;
  for (const auto& [id, n] : counts) {
    EXPECT_TRUE(raised.count(id)) << "unexpected alert " << id;
    duplicates += n - 1;
  }
  EXPECT_EQ(counts.size(), static_cast<size_t>(kAlerts));
  // Figures for the report (at-least-once allows duplicates).
  std::printf("splunk_hec kill test: %d alerts raised, %zu received before the kill, %zu distinct "
              "received, %d duplicate(s), receiver down %.0f s, caught up %.1f s after restart\n",
              kAlerts, before_kill, counts.size(), duplicates,
              std::chrono::duration<double>(restarted - killed).count(), catch_up);
  correlator_->Signal(SIGTERM);
  ASSERT_EQ(correlator_->Wait(60s), 0) << Tail();
  const std::string out = correlator_->Output();  // the match refers into it: keep it alive
  std::smatch m = StopSummary(out);
  ASSERT_FALSE(m.empty());
  std::printf("splunk_hec kill test: sink totals: %s\n", m[0].str().c_str());
  EXPECT_GE(std::stoi(m[3]), kAlerts - static_cast<int>(before_kill));  // acknowledged
}

}  // namespace
}  // namespace tripline
