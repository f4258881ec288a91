// Transport security against a real broker with TLS and SASL_SSL listeners (scripts/kafka.sh
// start-secure: a test CA made with openssl, mTLS on the SSL listener, SCRAM-SHA-512 on the
// SASL_SSL one): the agent ships over both with secrets read from files and the environment, a
// wrong password is refused, counted and loses nothing, the correlator consumes over SASL_SSL and
// alerts, no secret appears in any output, and files that others can write are refused.
//
// One broker for the whole binary (registered as one ctest): its start is most of the run time.
// librdkafka before 2.6.1 cannot do SCRAM with Kafka 4.x brokers (its client-final nonce is
// rejected, confluentinc/librdkafka#4895); with such a librdkafka (Debian 12 ships 2.0.2) the
// broker is Kafka 3.9.1, the last release that accepts it.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
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

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

const char kHeader[] =
    "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
    "#Date: 2021-03-05 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
    "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
    "time-taken\n";

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += "2021-03-05 03:00:00 10.0.0.5 GET /owa/line/" + std::to_string(i) +
           " - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 1\n";
  }
  return out;
}

// The line numbers found on `topic` (read over the broker's PLAINTEXT listener).
std::set<int> Arrived(const std::string& bootstrap, const std::string& topic, size_t want,
                      std::chrono::milliseconds timeout) {
  std::set<int> lines;
  testing::ConsumeTopicUntil(
      bootstrap, topic,
      [&](const testing::KafkaRecord& r) {
        v1::Event e;
        constexpr std::string_view kPrefix = "/owa/line/";
        if (e.ParseFromString(r.value) && e.http().url_path().rfind(kPrefix, 0) == 0) {
          lines.insert(std::stoi(e.http().url_path().substr(kPrefix.size())));
        }
        return lines.size() >= want;
      },
      timeout, 5s);
  return lines;
}

class TransportSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_dir_ = new TempDir();
    const bool old_scram = rd_kafka_version() < 0x02060100;
    std::string cmd = std::string(old_scram ? "TRIPLINE_KAFKA_VERSION=3.9.1 " : "") +
                      TRIPLINE_SOURCE_DIR "/scripts/kafka.sh start-secure '" +
                      broker_dir_->File("kafka") + "'";
    auto start = std::chrono::steady_clock::now();
    broker_up_ = std::system(cmd.c_str()) == 0;
    std::cout << "[ figures  ] secure broker (" << (old_scram ? "Kafka 3.9.1" : "Kafka 4.x")
              << ", librdkafka " << rd_kafka_version_str() << ") up in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
              << " s\n";
  }
  static void TearDownTestSuite() {
    std::string cmd = TRIPLINE_SOURCE_DIR "/scripts/kafka.sh stop '" + broker_dir_->File("kafka") +
                      "' >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
    delete broker_dir_;
  }
  static std::string BrokerFile(const std::string& name) {
    return Trim(ReadFile(broker_dir_->File("kafka/" + name)));
  }
  static std::string Tls(const std::string& name) { return broker_dir_->File("kafka/tls/" + name); }

  void SetUp() override {
    ASSERT_TRUE(broker_up_) << "scripts/kafka.sh start-secure failed";
    plain_ = BrokerFile("bootstrap");
    topic_ = "sec.it." + testing::UniqueSuffix();
    // The secrets every output is checked against.
    secrets_ = {BrokerFile("scram_password"), BrokerFile("tls/client.key.password")};
  }

  std::string AgentConfig(const std::string& brokers, const std::string& properties,
                          const std::string& extra = "") {
    return "agent:\n  id: EXCH01\n  data_dir: " + dir_.File("data") +
           "\n  poll_interval_ms: 20\n  shutdown_timeout_ms: 1000\n"
           "kafka:\n  brokers: " + brokers + "\n  topic: " + topic_ +
           "\n  properties:\n    linger.ms: \"5\"\n" + properties +
           "sources:\n  - name: iis\n    paths: [" + dir_.File("logs") +
           "/u_ex*.log]\n    format: w3c\n    discover_interval_ms: 100\n" + extra;
  }
  std::string SaslProperties(const std::string& password_file) {
    return "    security.protocol: SASL_SSL\n    sasl.mechanisms: SCRAM-SHA-512\n"
           "    sasl.username: " + BrokerFile("scram_user") + "\n"
           "    sasl.password: {file: " + password_file + "}\n"
           "    ssl.ca.location: " + Tls("ca.pem") + "\n";
  }
  std::unique_ptr<Process> Start(const std::string& bin, const std::string& config,
                                 const std::string& out) {
    return std::make_unique<Process>(std::vector<std::string>{bin, "-c", dir_.File(config)},
                                     dir_.File(out));
  }
  void ExpectNoSecretIn(const std::string& output, const std::string& who) {
    for (const std::string& s : secrets_) {
      EXPECT_EQ(output.find(s), std::string::npos) << who << " printed a secret";
    }
  }
  void Stop(std::unique_ptr<Process>& p) {
    p->Signal(SIGTERM);
    EXPECT_TRUE(p->Wait(30s).has_value()) << p->Output().substr(0, 5000);
  }

  static TempDir* broker_dir_;
  static bool broker_up_;
  TempDir dir_;
  std::string plain_, topic_;
  std::vector<std::string> secrets_;
};

TempDir* TransportSecurity::broker_dir_ = nullptr;
bool TransportSecurity::broker_up_ = false;

TEST_F(TransportSecurity, AgentShipsOverMutualTlsWithTheKeyPassphraseFromTheEnvironment) {
  ::setenv("TRIPLINE_TEST_KAFKA_KEY_PASSWORD", secrets_[1].c_str(), 1);
  dir_.Write("agent.yaml",
             AgentConfig(BrokerFile("bootstrap_ssl"),
                         "    security.protocol: SSL\n    ssl.ca.location: " + Tls("ca.pem") +
                             "\n    ssl.certificate.location: " + Tls("client.pem") +
                             "\n    ssl.key.location: " + Tls("client.key") +
                             "\n    ssl.key.password: {env: TRIPLINE_TEST_KAFKA_KEY_PASSWORD}\n"));
  auto start = std::chrono::steady_clock::now();
  auto agent = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent.out");
  dir_.Write("logs/u_ex1.log", kHeader + Lines(0, 500));
  std::set<int> got = Arrived(plain_, topic_, 500, 60s);
  EXPECT_EQ(got.size(), 500u) << agent->Output().substr(0, 20000);
  std::cout << "[ figures  ] 500 lines over mTLS in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
  Stop(agent);
  ExpectNoSecretIn(agent->Output(), "agent");
  ::unsetenv("TRIPLINE_TEST_KAFKA_KEY_PASSWORD");
}

TEST_F(TransportSecurity, AgentShipsOverSaslSslScramWithThePasswordFromAFileAndNeverPrintsIt) {
  std::string password = dir_.Write("kafka.password", secrets_[0] + "\n");
  ::chmod(password.c_str(), 0600);
  // librdkafka's own debug output (configuration, SASL handshake) goes to the agent's log too.
  dir_.Write("agent.yaml", AgentConfig(BrokerFile("bootstrap_sasl_ssl"),
                                       SaslProperties(password) +
                                           "    debug: conf,security,broker\n",
                                       "log:\n  level: debug\n"));
  auto agent = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent.out");
  dir_.Write("logs/u_ex1.log", kHeader + Lines(0, 300));
  std::set<int> got = Arrived(plain_, topic_, 300, 60s);
  EXPECT_EQ(got.size(), 300u) << agent->Output().substr(0, 20000);
  Stop(agent);
  const std::string out = agent->Output();
  EXPECT_NE(out.find("sasl.password = [redacted]"), std::string::npos)
      << "librdkafka's configuration dump was expected in the debug log";
  ExpectNoSecretIn(out, "agent");
}

TEST_F(TransportSecurity, AWrongPasswordIsRefusedCountedAndNothingIsLostOnceItIsFixed) {
  const std::string wrong = "wrong-" + secrets_[0].substr(0, 8);
  secrets_.push_back(wrong);
  std::string password = dir_.Write("kafka.password", wrong + "\n");
  ::chmod(password.c_str(), 0600);
  dir_.Write("agent.yaml", AgentConfig(BrokerFile("bootstrap_sasl_ssl"), SaslProperties(password),
                                       "metrics:\n  listen: 127.0.0.1:0\n"));
  auto agent = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent.out");
  dir_.Write("logs/u_ex1.log", kHeader + Lines(0, 200));
  ASSERT_TRUE(WaitUntil(30s, [&] {
    return agent->Output().find("kafka client error _AUTHENTICATION") != std::string::npos;
  })) << agent->Output().substr(0, 20000);
  std::smatch m;
  const std::string out = agent->Output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex("127\\.0\\.0\\.1:([0-9]+)/metrics"))) << out;
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  EXPECT_TRUE(WaitUntil(10s, [&] {
    return testing::ScrapeMetric(
               port, "tripline_agent_kafka_client_errors_total{class=\"_AUTHENTICATION\"}") >= 1;
  }));
  EXPECT_TRUE(Arrived(plain_, topic_, 1, 3s).empty()) << "nothing may pass a refused login";
  Stop(agent);
  ExpectNoSecretIn(agent->Output(), "agent (wrong password)");

  // The operator fixes the password file and restarts: every line read meanwhile was kept.
  dir_.Write("kafka.password", secrets_[0] + "\n");
  dir_.Write("logs/u_ex1.log", Lines(200, 300), /*append=*/true);
  auto fixed = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent2.out");
  std::set<int> got = Arrived(plain_, topic_, 300, 60s);
  EXPECT_EQ(got.size(), 300u) << fixed->Output().substr(0, 20000);
  Stop(fixed);
  ExpectNoSecretIn(fixed->Output(), "agent (fixed password)");
}

TEST_F(TransportSecurity, CorrelatorConsumesOverSaslSslAndRaisesTheAlert) {
  ::setenv("TRIPLINE_TEST_KAFKA_PASSWORD", secrets_[0].c_str(), 1);
  dir_.Write("rules/shell.yml",
             "title: OWA web shell request\nid: sec-rule-1\nstatus: test\n"
             "logsource: {category: webserver, product: windows}\n"
             "detection:\n  sel:\n    cs-uri-stem|endswith: /RedirSuiteServerProxy.aspx\n"
             "  condition: sel\nlevel: critical\n");
  dir_.Write("correlator.yaml",
             "kafka:\n  brokers: " + BrokerFile("bootstrap_sasl_ssl") +
                 "\n  group_id: sec-" + testing::UniqueSuffix() + "\n  events_topic: " + topic_ +
                 "\n  alerts_topic: \"\"\n  properties:\n    security.protocol: SASL_SSL\n"
                 "    sasl.mechanisms: SCRAM-SHA-512\n    sasl.username: " +
                 BrokerFile("scram_user") +
                 "\n    sasl.password: {env: TRIPLINE_TEST_KAFKA_PASSWORD}\n"
                 "    ssl.ca.location: " + Tls("ca.pem") +
                 "\nrules:\n  paths: [" + dir_.File("rules") + "]\n"
                 "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                 "outputs:\n  stdout: true\napi:\n  listen: 127.0.0.1:0\n"
                 "metrics:\n  listen: \"\"\ncorrelator:\n  commit_interval_ms: 200\n"
                 "  state_dir: " + dir_.File("state") + "\n");
  auto correlator = Start(TRIPLINE_CORRELATOR_BIN, "correlator.yaml", "correlator.out");
  ASSERT_TRUE(WaitUntil(60s, [&] {
    return correlator->Output().find("assigned partitions") != std::string::npos;
  })) << correlator->Output().substr(0, 20000);
  v1::Event e;
  e.set_event_id("ev-shell");
  e.mutable_host()->set_id("EXCH01");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(1614913587);
  e.mutable_http()->set_method("GET");
  e.mutable_http()->set_url_path("/owa/auth/RedirSuiteServerProxy.aspx");
  e.mutable_http()->set_status_code(200);
  ASSERT_TRUE(testing::ProduceRecords(plain_, topic_, {{"EXCH01", e.SerializeAsString()}}));
  EXPECT_TRUE(WaitUntil(60s, [&] {
    // The stdout sink's ECS document of the alert.
    return correlator->Output().find("\"id\":\"sec-rule-1\"") != std::string::npos;
  })) << correlator->Output().substr(0, 20000);
  Stop(correlator);
  ExpectNoSecretIn(correlator->Output(), "correlator");
  ::unsetenv("TRIPLINE_TEST_KAFKA_PASSWORD");
}

TEST_F(TransportSecurity, ConfigAndSecretFilesOthersCanWriteAreRefusedWithExitCode2) {
  std::string password = dir_.Write("kafka.password", secrets_[0] + "\n");
  ::chmod(password.c_str(), 0600);
  std::string config = dir_.Write(
      "agent.yaml", AgentConfig(BrokerFile("bootstrap_sasl_ssl"), SaslProperties(password)));
  ::chmod(config.c_str(), 0666);
  auto agent = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent.out");
  EXPECT_EQ(agent->Wait(10s), 2);
  EXPECT_NE(agent->Output().find("'" + config + "' is world-writable (mode 0666)"),
            std::string::npos) << agent->Output();
  EXPECT_NE(agent->Output().find("chmod o-w"), std::string::npos);

  ::chmod(config.c_str(), 0600);
  ::chmod(password.c_str(), 0622);
  auto again = Start(TRIPLINE_AGENT_BIN, "agent.yaml", "agent2.out");
  EXPECT_EQ(again->Wait(10s), 2);
  EXPECT_NE(again->Output().find("kafka.properties.sasl.password.file: '" + password +
                                 "' is world-writable (mode 0622)"),
            std::string::npos) << again->Output();
  ExpectNoSecretIn(agent->Output() + again->Output(), "agent");

  std::string cconfig = dir_.Write("correlator.yaml", "kafka:\n  brokers: " + plain_ + "\n");
  ::chmod(cconfig.c_str(), 0646);
  auto correlator = Start(TRIPLINE_CORRELATOR_BIN, "correlator.yaml", "correlator.out");
  EXPECT_EQ(correlator->Wait(10s), 2);
  EXPECT_NE(correlator->Output().find("is world-writable (mode 0646)"), std::string::npos)
      << correlator->Output();
}

}  // namespace
}  // namespace tripline
