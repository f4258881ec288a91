// The syslog sink against Debian's real rsyslog: the correlator binary consumes events from the
// fixture broker, fires a rule, and rsyslog (our own rsyslogd, on a loopback port, writing the
// raw messages to a file) receives one CEF line per alert over TCP, LEEF over TLS; and a burst of
// alerts survives rsyslog being down for a minute.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
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

const char* kShellRule =
    "title: OWA web shell | request\nid: syslog-rule-1\nstatus: test\n"
    "logsource: {category: webserver, product: windows}\n"
    "detection:\n  sel:\n    cs-uri-stem|endswith: /RedirSuiteServerProxy.aspx\n"
    "  condition: sel\nlevel: critical\ntags: [attack.persistence, attack.t1505.003]\n";

// An rsyslogd of the test's own: its own config, work directory and pid file, imtcp on a
// loopback port with octet-counted framing (TLS through the ossl driver when asked), and one
// omfile action writing every message's raw form, one per line. The system's rsyslog is never
// touched. The destructor kills it.
class Rsyslog {
 public:
  Rsyslog(const testing::TempDir& dir, bool tls) : dir_(dir), tls_(tls) {
    std::filesystem::create_directories(dir_.File("rsyslog-work"));
    if (tls_) MakeCertificates();
  }

  // Starts on `port` (0: a free one, read back from listenPortFileName).
  void Start(uint16_t port = 0) {
    std::filesystem::remove(dir_.File("rsyslog.port"));
    std::string global = "global(workDirectory=\"" + dir_.File("rsyslog-work") +
                         "\" maxMessageSize=\"64k\"";
    std::string module = "module(load=\"imtcp\"";
    if (tls_) {
      global += " defaultNetstreamDriver=\"ossl\" defaultNetstreamDriverCAFile=\"" +
                dir_.File("ca.pem") + "\" defaultNetstreamDriverCertFile=\"" +
                dir_.File("server.pem") + "\" defaultNetstreamDriverKeyFile=\"" +
                dir_.File("server.key") + "\"";
      module +=
          " streamDriver.name=\"ossl\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\"";
    }
    dir_.Write("rsyslog.conf",
               global + ")\n" + module + ")\n" +
                   "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
                   "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + std::to_string(port) +
                   "\" listenPortFileName=\"" + dir_.File("rsyslog.port") +
                   "\" supportOctetCountedFraming=\"on\" ruleset=\"alerts\")\n"
                   "ruleset(name=\"alerts\") {\n  action(type=\"omfile\" file=\"" +
                   dir_.File("received.log") + "\" template=\"raw\")\n}\n");
    process_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/rsyslogd", "-n", "-f", dir_.File("rsyslog.conf"), "-i",
                                 dir_.File("rsyslog.pid")},
        dir_.File("rsyslog.out"));
    if (port != 0) {  // rsyslog writes the port file only for port 0
      ASSERT_TRUE(WaitUntil(20s, [&] { return testing::LoopbackPortOpen(port); }))
          << ReadFile(dir_.File("rsyslog.out"));
      return;
    }
    ASSERT_TRUE(WaitUntil(20s, [&] {
      return !ReadFile(dir_.File("rsyslog.port")).empty();
    })) << ReadFile(dir_.File("rsyslog.out"));
    port_ = static_cast<uint16_t>(std::stoi(ReadFile(dir_.File("rsyslog.port"))));
  }
  void Stop(int sig) {
    process_->Signal(sig);
    ASSERT_TRUE(process_->Wait(30s).has_value());
  }
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> Lines() const {
    return testing::NonEmptyLines(ReadFile(dir_.File("received.log")));
  }

 private:
  void MakeCertificates() {
    const std::string d = dir_.path();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    dir_.Write("san.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    const std::string cmd =
        "cd " + d + " && openssl req -x509" + ec + "-keyout ca.key -out ca.pem -days 2" +
        " -subj '/CN=Tripline Test CA' && openssl req" + ec +
        "-keyout server.key -out server.csr -subj /CN=localhost && openssl x509 -req -in "
        "server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
        "-extfile san.cnf";
    ASSERT_EQ(std::system((cmd + " >openssl.out 2>&1").c_str()), 0) << ReadFile(d + "/openssl.out");
  }

  const testing::TempDir& dir_;
  bool tls_;
  uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

// A received line: the RFC 5424 header fields and the MSG.
struct SyslogLine {
  int pri = -1;
  std::string timestamp, hostname, app_name, procid, msgid, msg;
};

SyslogLine ParseSyslog(const std::string& line) {
  static const std::regex re("^<([0-9]+)>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) - (.*)$");
  std::smatch m;
  SyslogLine s;
  if (!std::regex_match(line, m, re)) return s;
  s = {std::stoi(m[1]), m[2], m[3], m[4], m[5], m[6], m[7]};
  return s;
}

// CEF: the seven header fields (unescaped) and the extension as a map (unescaped values). A key
// starts after a space and ends at an unescaped '='; the value runs to the next key.
struct Cef {
  std::vector<std::string> header;
  std::map<std::string, std::string> ext;
};

Cef ParseCef(const std::string& msg) {
  Cef c;
  size_t i = 0;
  std::string field;
  while (i < msg.size() && c.header.size() < 7) {
    if (msg[i] == '\\' && i + 1 < msg.size()) {
      field += msg[i + 1];
      i += 2;
    } else if (msg[i] == '|') {
      c.header.push_back(field);
      field.clear();
      ++i;
    } else {
      field += msg[i++];
    }
  }
  const std::string ext = msg.substr(i);
  static const std::regex key("(^| )([A-Za-z0-9]+)=");
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> keys;  // key, [start, value)
  for (auto it = std::sregex_iterator(ext.begin(), ext.end(), key); it != std::sregex_iterator();
       ++it) {
    const size_t at = static_cast<size_t>(it->position(2));
    if (at > 0 && ext[at - 1] != ' ') continue;
    // An escaped '=' never ends a key: the regex cannot match across "\=" since '\' is no key char.
    keys.push_back({(*it)[2], {static_cast<size_t>(it->position(0)),
                               static_cast<size_t>(it->position(0) + it->length(0))}});
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    const size_t end = k + 1 < keys.size() ? keys[k + 1].second.first : ext.size();
    const std::string raw = ext.substr(keys[k].second.second, end - keys[k].second.second);
    std::string value;
    for (size_t j = 0; j < raw.size(); ++j) {
      if (raw[j] == '\\' && j + 1 < raw.size()) {
        const char n = raw[++j];
        value += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
      } else {
        value += raw[j];
      }
    }
    c.ext[keys[k].first] = value;
  }
  return c;
}

v1::Event Request(const std::string& id, const std::string& path) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_id("EXCH01");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_event_time()->set_seconds(1614913587);
  e.mutable_http()->set_method("POST");
  e.mutable_http()->set_url_path(path);
  e.mutable_http()->set_status_code(200);
  e.mutable_http()->set_source_ip("203.0.113.7");
  return e;
}

class SyslogSink : public ::testing::Test {
 protected:
  void SetUp() override {
    bootstrap_ = testing::FixtureBootstrap();
    ASSERT_FALSE(bootstrap_.empty());
    suffix_ = testing::UniqueSuffix();
    topic_ = "syslog.events." + suffix_;
    dir_.Write("rules/shell.yml", kShellRule);
  }
  void TearDown() override {
    if (correlator_ != nullptr) {
      correlator_->Signal(SIGTERM);
      EXPECT_EQ(correlator_->Wait(30s), 0) << correlator_->Output();
    }
  }
  void StartCorrelator(const std::string& syslog_yaml, const std::string& extra_outputs = "") {
    dir_.Write("correlator.yaml",
               "kafka:\n  brokers: " + bootstrap_ + "\n  group_id: syslog-" + suffix_ +
                   "\n  events_topic: " + topic_ + "\n  alerts_topic: \"\"\n"
                   "rules:\n  paths: [" + dir_.File("rules") + "]\n"
                   "  field_map: " TRIPLINE_SOURCE_DIR "/config/field_map.yaml\n"
                   "outputs:\n  jsonl: " + dir_.File("alerts.jsonl") + "\n" + extra_outputs +
                   "  syslog:\n" + syslog_yaml +
                   "api:\n  listen: \"\"\nmetrics:\n  listen: \"\"\n"
                   "correlator:\n  commit_interval_ms: 200\n  state_dir: " + dir_.File("state") +
                   "\n");
    correlator_ = std::make_unique<Process>(
        std::vector<std::string>{TRIPLINE_CORRELATOR_BIN, "-c", dir_.File("correlator.yaml")},
        dir_.File("correlator.out"));
  }
  void Produce(const std::vector<v1::Event>& events) {
    std::vector<testing::KafkaRecord> records;
    for (const auto& e : events) records.push_back({e.host().id(), e.SerializeAsString()});
    ASSERT_TRUE(testing::ProduceRecords(bootstrap_, topic_, records));
  }
  // Alert ids the JSON lines sink saw (the local reference of what was raised).
  std::vector<std::string> RaisedIds() {
    std::vector<std::string> ids;
    for (const auto& line : testing::NonEmptyLines(ReadFile(dir_.File("alerts.jsonl")))) {
      ids.push_back(nlohmann::json::parse(line)["event"]["id"]);
    }
    return ids;
  }

  testing::TempDir dir_;
  std::string bootstrap_, suffix_, topic_;
  std::unique_ptr<Process> correlator_;
};

TEST_F(SyslogSink, OneCefLinePerAlertOverTcpParsesBackToTheAlert) {
  Rsyslog rsyslog(dir_, /*tls=*/false);
  rsyslog.Start();
  StartCorrelator("    address: " + rsyslog.address() +
                  "\n    transport: tcp\n    format: cef\n    hostname: corr-test\n"
                  "    app_name: tripline-it\n");
  v1::Event hostile = Request("ev-shell-2", "/owa/auth/RedirSuiteServerProxy.aspx");
  hostile.mutable_http()->set_url_query("x=1|2\\3");
  hostile.mutable_http()->set_user_name("CORP\\adm=in \xc3\xa9");
  hostile.mutable_http()->set_user_agent("curl\r\n/8");
  hostile.mutable_host()->set_id("EXCH02");
  hostile.mutable_host()->set_name("EXCH02");
  Produce({Request("ev-benign", "/owa/auth/logon.aspx"),
           Request("ev-shell-1", "/owa/auth/RedirSuiteServerProxy.aspx"), hostile});
  ASSERT_TRUE(WaitUntil(60s, [&] { return rsyslog.Lines().size() >= 2; }))
      << correlator_->Output();
  ASSERT_TRUE(WaitUntil(10s, [&] { return RaisedIds().size() == 2; }));
  std::this_thread::sleep_for(1s);  // nothing more may come
  const auto lines = rsyslog.Lines();
  ASSERT_EQ(lines.size(), 2u) << correlator_->Output();
  const auto raised = RaisedIds();
  std::set<std::string> seen;
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    const SyslogLine s = ParseSyslog(line);
    EXPECT_EQ(s.pri, 20 * 8 + 2);  // local4.crit
    EXPECT_EQ(s.hostname, "corr-test");
    EXPECT_EQ(s.app_name, "tripline-it");
    EXPECT_EQ(s.procid, std::to_string(correlator_->pid()));
    EXPECT_EQ(s.msgid, "alert");
    EXPECT_TRUE(
        std::regex_match(s.timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    const Cef cef = ParseCef(s.msg);
    ASSERT_EQ(cef.header.size(), 7u);
    EXPECT_EQ(cef.header[0], "CEF:0");
    EXPECT_EQ(cef.header[1], "Tripline");
    EXPECT_EQ(cef.header[2], "Tripline Correlator");
    EXPECT_FALSE(cef.header[3].empty());
    EXPECT_EQ(cef.header[4], "syslog-rule-1");
    EXPECT_EQ(cef.header[5], "OWA web shell | request");
    EXPECT_EQ(cef.header[6], "10");
    auto ext = cef.ext;
    seen.insert(ext["externalId"]);
    EXPECT_EQ(ext["cs1"], ext["externalId"]);
    EXPECT_EQ(ext["cs1Label"], "alertId");
    EXPECT_EQ(ext["cs2"], "T1505.003");
    EXPECT_EQ(ext["cs3"], "persistence");
    EXPECT_EQ(ext["cnt"], "1");
    EXPECT_EQ(ext["cat"], "sigma");
    EXPECT_EQ(ext["src"], "203.0.113.7");
    EXPECT_EQ(ext["requestMethod"], "POST");
    EXPECT_EQ(ext["rt"], "1614913587000");
    if (ext["dhost"] == "EXCH02") {  // the hostile values come back exactly
      EXPECT_EQ(ext["request"], "/owa/auth/RedirSuiteServerProxy.aspx?x=1|2\\3");
      EXPECT_EQ(ext["suser"], "CORP\\adm=in \xc3\xa9");
      EXPECT_EQ(ext["requestClientApplication"], "curl\r\n/8");
    } else {
      EXPECT_EQ(ext["dhost"], "EXCH01");
      EXPECT_EQ(ext["request"], "/owa/auth/RedirSuiteServerProxy.aspx");
    }
  }
  EXPECT_EQ(seen, std::set<std::string>(raised.begin(), raised.end()));
}

TEST_F(SyslogSink, LeefOverTlsVerifiedAgainstTheTestCa) {
  Rsyslog rsyslog(dir_, /*tls=*/true);
  rsyslog.Start();
  StartCorrelator("    address: " + rsyslog.address() + "\n    transport: tls\n    format: leef\n" +
                  "    ca_file: " + dir_.File("ca.pem") + "\n    facility: authpriv\n");
  Produce({Request("ev-shell-1", "/owa/auth/RedirSuiteServerProxy.aspx")});
  ASSERT_TRUE(WaitUntil(60s, [&] { return !rsyslog.Lines().empty(); })) << correlator_->Output();
  ASSERT_TRUE(WaitUntil(10s, [&] { return RaisedIds().size() == 1; }));
  const auto lines = rsyslog.Lines();
  ASSERT_EQ(lines.size(), 1u);
  const SyslogLine s = ParseSyslog(lines[0]);
  EXPECT_EQ(s.pri, 10 * 8 + 2) << lines[0];  // authpriv.crit
  const std::string prefix = "LEEF:2.0|Tripline|Tripline Correlator|";
  ASSERT_EQ(s.msg.rfind(prefix, 0), 0u) << s.msg;
  std::vector<std::string> header;
  size_t at = 0;
  for (int i = 0; i < 6; ++i) {
    size_t bar = s.msg.find('|', at);
    ASSERT_NE(bar, std::string::npos) << s.msg;
    header.push_back(s.msg.substr(at, bar - at));
    at = bar + 1;
  }
  EXPECT_EQ(header[4], "syslog-rule-1");
  EXPECT_EQ(header[5], "^");
  std::map<std::string, std::string> attrs;
  std::string rest = s.msg.substr(at);
  for (size_t start = 0; start <= rest.size();) {
    size_t end = rest.find('^', start);
    if (end == std::string::npos) end = rest.size();
    const std::string kv = rest.substr(start, end - start);
    attrs[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
    start = end + 1;
  }
  EXPECT_EQ(attrs["alertId"], RaisedIds()[0]);
  EXPECT_EQ(attrs["sev"], "10");
  EXPECT_EQ(attrs["cat"], "sigma");
  EXPECT_EQ(attrs["devTime"], "2021-03-05T03:06:27.000+0000");
  EXPECT_EQ(attrs["devTimeFormat"], "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  EXPECT_EQ(attrs["src"], "203.0.113.7");
  EXPECT_EQ(attrs["resource"], "EXCH01");
  EXPECT_EQ(attrs["url"], "/owa/auth/RedirSuiteServerProxy.aspx");
  EXPECT_EQ(attrs["ruleName"], "OWA web shell | request");
  EXPECT_EQ(attrs["mitreTechniques"], "T1505.003");
}

TEST_F(SyslogSink, TlsToAServerTheCaDidNotSignDeliversNothing) {
  Rsyslog rsyslog(dir_, /*tls=*/true);
  rsyslog.Start();
  testing::TempDir other;
  Rsyslog other_ca(other, /*tls=*/true);  // only for its CA
  StartCorrelator("    address: " + rsyslog.address() + "\n    transport: tls\n    format: leef\n" +
                  "    ca_file: " + other.File("ca.pem") + "\n");
  Produce({Request("ev-shell-1", "/owa/auth/RedirSuiteServerProxy.aspx")});
  ASSERT_TRUE(WaitUntil(60s, [&] {
    return correlator_->Output().find("certificate verify failed") != std::string::npos;
  })) << correlator_->Output();
  EXPECT_TRUE(rsyslog.Lines().empty());
}

// 200 alerts; rsyslog is stopped (SIGTERM) while they flow and kept down for 60 s: every alert
// still arrives once it is back. SIGTERM, not SIGKILL: plain syslog has no application
// acknowledgement, so what rsyslog had read into memory but not yet written when killed -9 is
// lost by rsyslog itself, and no sender can tell (README, "syslog").
TEST_F(SyslogSink, BurstSurvivesTheReceiverDownForAMinute) {
  constexpr int kAlerts = 200;
  Rsyslog rsyslog(dir_, /*tls=*/false);
  rsyslog.Start();
  StartCorrelator("    address: " + rsyslog.address() + "\n    timeout_ms: 3000\n",
                  "  retry_backoff_ms: 200\n");
  std::atomic<int> produced{0};
  std::thread producer([&] {
    for (int i = 0; i < kAlerts; i += 5) {
      std::vector<v1::Event> batch;
      for (int j = i; j < i + 5; ++j) {
        batch.push_back(Request("ev-burst-" + std::to_string(j),
                                "/owa/auth/" + std::to_string(j) + "/RedirSuiteServerProxy.aspx"));
      }
      Produce(batch);
      produced += 5;
      std::this_thread::sleep_for(50ms);
    }
  });
  // Stop the receiver mid-stream.
  const bool flowing = WaitUntil(60s, [&] { return rsyslog.Lines().size() >= 40; });
  rsyslog.Stop(SIGTERM);
  const size_t before = rsyslog.Lines().size();
  const auto down_at = std::chrono::steady_clock::now();
  producer.join();
  ASSERT_TRUE(flowing) << correlator_->Output();
  std::this_thread::sleep_for(60s);
  rsyslog.Start(rsyslog.port());
  const auto down_for = std::chrono::steady_clock::now() - down_at;
  auto unique = [&] {
    std::set<std::string> ids;
    for (const auto& line : rsyslog.Lines()) {
      ids.insert(ParseCef(ParseSyslog(line).msg).ext["externalId"]);
    }
    return ids;
  };
  ASSERT_TRUE(WaitUntil(90s, [&] { return unique().size() >= static_cast<size_t>(kAlerts); }))
      << unique().size() << " of " << kAlerts << "\n" << correlator_->Output();
  std::this_thread::sleep_for(2s);
  const auto raised = RaisedIds();
  EXPECT_EQ(raised.size(), static_cast<size_t>(kAlerts));
  const std::set<std::string> got = unique();
  EXPECT_EQ(got, std::set<std::string>(raised.begin(), raised.end()));
  const size_t total = rsyslog.Lines().size();
  const auto down_s = std::chrono::duration_cast<std::chrono::seconds>(down_for).count();
  std::printf("syslog burst: %d alerts, %zu received before the stop, receiver down %lld s, "
              "%zu lines received, %zu unique, %zu duplicates\n",
              kAlerts, before, static_cast<long long>(down_s), total, got.size(),
              total - got.size());
  RecordProperty("duplicates", static_cast<int>(total - got.size()));
}

}  // namespace
}  // namespace tripline
