// tripline-agent.exe (the MinGW-w64 cross-build) under wine64, against the real broker on
// loopback: what Wine implements of the Windows platform layer, end to end. IIS logs tailed
// through CreateFileW share modes and volume-serial/file-index identities, the spool and
// checkpoints written with FlushFileBuffers and MoveFileEx, an agent killed mid-stream that loses
// nothing, and a web shell dropped into a folder watched with ReadDirectoryChangesW.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <iostream>
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

// Wine maps the Linux root to drive Z:.
std::string WinPath(const std::string& linux_path) {
  std::string out = "Z:" + linux_path;
  for (char& c : out) c = c == '/' ? '\\' : c;
  return out;
}

const std::string kHeader =
    "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
    "#Date: 2021-03-03 00:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
    "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
    "time-taken\r\n";

std::string Lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += "2021-03-03 02:0" + std::to_string(i % 10) + ":00 10.0.0.5 POST /ecp/line/" +
           std::to_string(i) + " - 443 - 192.0.2.10 ExchangeServicesClient/0.0.0.0 - 200 0 0 " +
           "7\r\n";
  }
  return out;
}

class WindowsAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    // Quiet, and no Mono or Gecko installers: the agent is a console program.
    ::setenv("WINEPREFIX", TRIPLINE_WINEPREFIX, 1);
    ::setenv("WINEDEBUG", "-all", 1);
    ::setenv("WINEDLLOVERRIDES", "mscoree,mshtml=", 1);
    topic_ = "agent.win." + testing::UniqueSuffix();
    std::filesystem::create_directories(dir_.File("W3SVC1"));
  }

  void WriteConfig(const std::string& sources) {
    dir_.Write("agent.yaml",
               "agent:\n  id: EXCH-WIN01\n  data_dir: '" + WinPath(dir_.File("data")) +
                   "'\n  poll_interval_ms: 20\n  shutdown_timeout_ms: 1000\n"
                   "kafka:\n  brokers: " + testing::FixtureBootstrap() + "\n  topic: " + topic_ +
                   "\n  properties:\n    linger.ms: \"5\"\n"
                   "sources:\n" + sources + "metrics:\n  listen: \"\"\n");
  }
  std::unique_ptr<Process> StartAgent(const std::string& log) {
    return std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/wine", TRIPLINE_WINDOWS_AGENT, "-c",
                                 WinPath(dir_.File("agent.yaml"))},
        dir_.File(log));
  }
  bool WaitShipping(const std::string& log) {
    return WaitUntil(90s, [&] {
      return ReadFile(dir_.File(log)).find("shipping") != std::string::npos;
    });
  }

  TempDir dir_;
  std::string topic_;
};

TEST_F(WindowsAgent, TailsIisLogsAcrossAKillAndANewDayFileLosingNothing) {
  constexpr int kLines = 30000;
  WriteConfig("  - name: iis\n    paths: ['" + WinPath(dir_.File("W3SVC1")) +
              "\\u_ex*.log']\n    format: w3c\n    discover_interval_ms: 100\n");
  dir_.Write("W3SVC1/u_ex210303.log", kHeader + Lines(0, 5000));
  auto agent = StartAgent("agent1.out");
  ASSERT_TRUE(WaitShipping("agent1.out")) << ReadFile(dir_.File("agent1.out"));
  for (int from = 5000; from < 15000; from += 1000) {
    dir_.Write("W3SVC1/u_ex210303.log", Lines(from, from + 1000), /*append=*/true);
    std::this_thread::sleep_for(10ms);
  }
  agent->Signal(SIGKILL);  // mid-stream (lines still being read and shipped), no goodbye
  agent->Wait(30s);
  dir_.Write("W3SVC1/u_ex210303.log", Lines(15000, 20000), /*append=*/true);  // while down
  dir_.Write("W3SVC1/u_ex210304.log", kHeader + Lines(20000, 25000));          // a new day
  agent = StartAgent("agent2.out");
  ASSERT_TRUE(WaitShipping("agent2.out")) << ReadFile(dir_.File("agent2.out"));
  dir_.Write("W3SVC1/u_ex210304.log", Lines(25000, kLines), /*append=*/true);

  std::map<int, std::set<std::string>> ids;  // line -> event ids
  size_t records = 0, foreign = 0;
  auto started = std::chrono::steady_clock::now();
  testing::ConsumeTopicUntil(
      testing::FixtureBootstrap(), topic_,
      [&](const testing::KafkaRecord& r) {
        ++records;
        v1::Event e;
        constexpr std::string_view kPrefix = "/ecp/line/";
        if (!e.ParseFromString(r.value) || e.http().url_path().rfind(kPrefix, 0) != 0) {
          ++foreign;
          return false;
        }
        EXPECT_EQ(e.host().id(), "EXCH-WIN01");
        EXPECT_EQ(e.http().method(), "POST");
        ids[std::stoi(e.http().url_path().substr(kPrefix.size()))].insert(e.event_id());
        return ids.size() >= static_cast<size_t>(kLines);
      },
      180s, 20s);
  int missing = 0, conflicting = 0;
  for (int i = 0; i < kLines; ++i) missing += ids.count(i) == 0;
  for (const auto& [line, set] : ids) conflicting += set.size() > 1;
  std::cout << "[ figures  ] wine: " << kLines << " lines written, " << records
            << " records consumed (" << records - ids.size() << " re-sent after the kill), "
            << missing << " missing, caught up in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started).count()
            << " ms\n";
  EXPECT_EQ(missing, 0) << ReadFile(dir_.File("agent2.out"));
  EXPECT_EQ(conflicting, 0) << "a line re-sent under a new event_id";
  EXPECT_EQ(foreign, 0u);
}

TEST_F(WindowsAgent, ReportsAWebShellDroppedIntoTheOwaAuthFolder) {
  std::filesystem::create_directories(dir_.File("owa/auth"));
  dir_.Write("owa/auth/logon.aspx", "<%@ Page Language=\"C#\" %>legit");
  WriteConfig("  - name: owa-auth\n    type: fim\n    paths: ['" + WinPath(dir_.File("owa")) +
              "']\n    extensions: [aspx, ashx]\n");
  auto agent = StartAgent("agent.out");
  ASSERT_TRUE(WaitShipping("agent.out")) << ReadFile(dir_.File("agent.out"));
  ASSERT_TRUE(WaitUntil(30s, [&] {
    return std::filesystem::exists(dir_.File("data/fim/owa-auth.baseline"));
  })) << ReadFile(dir_.File("agent.out"));
  const std::string chopper =
      "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"klk123456\"],\"unsafe\");%>";
  auto dropped = std::chrono::steady_clock::now();
  dir_.Write("owa/auth/RedirSuiteServerProxy.aspx", chopper);
  std::vector<v1::Event> events;
  testing::ConsumeTopicUntil(
      testing::FixtureBootstrap(), topic_,
      [&](const testing::KafkaRecord& r) {
        v1::Event e;
        if (e.ParseFromString(r.value) && e.has_file() &&
            e.file().name() == "RedirSuiteServerProxy.aspx") {
          events.push_back(e);
        }
        return !events.empty();
      },
      30s, 30s);
  ASSERT_EQ(events.size(), 1u) << ReadFile(dir_.File("agent.out"));
  std::cout << "[ figures  ] wine: web shell written -> FIM event consumed: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - dropped).count()
            << " ms\n";
  const v1::FileChange& f = events[0].file();
  EXPECT_EQ(f.action(), v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(f.path(), WinPath(dir_.File("owa/auth/RedirSuiteServerProxy.aspx")));
  EXPECT_EQ(f.size(), chopper.size());
  EXPECT_EQ(f.hash_sha256().size(), 64u);
  EXPECT_FALSE(f.webshell_markers().empty());
}

// The hashed baseline on Windows: a web shell dropped while the agent was down is reported at its
// next start.
TEST_F(WindowsAgent, ReportsAWebShellDroppedWhileItWasDown) {
  std::filesystem::create_directories(dir_.File("aspnet_client/system_web"));
  WriteConfig("  - name: aspnet-client\n    type: fim\n    paths: ['" +
              WinPath(dir_.File("aspnet_client")) + "']\n");
  {
    auto agent = StartAgent("agent1.out");
    ASSERT_TRUE(WaitUntil(60s, [&] {
      return std::filesystem::exists(dir_.File("data/fim/aspnet-client.baseline"));
    })) << ReadFile(dir_.File("agent1.out"));
    agent->Signal(SIGKILL);
    agent->Wait(30s);
  }
  dir_.Write("aspnet_client/system_web/log.aspx",
             "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>");
  auto agent = StartAgent("agent2.out");
  std::vector<v1::Event> events;
  testing::ConsumeTopicUntil(
      testing::FixtureBootstrap(), topic_,
      [&](const testing::KafkaRecord& r) {
        v1::Event e;
        if (e.ParseFromString(r.value) && e.has_file() && e.file().name() == "log.aspx") {
          events.push_back(e);
        }
        return !events.empty();
      },
      60s, 60s);
  ASSERT_EQ(events.size(), 1u) << ReadFile(dir_.File("agent2.out"));
  EXPECT_EQ(events[0].file().action(), v1::FileChange::ACTION_CREATED);
  EXPECT_FALSE(events[0].file().webshell_markers().empty());
}

// The Exchange 2016 and 2019 sample configs pass the Windows agent's full check as shipped.
TEST_F(WindowsAgent, TheExchangeSampleConfigsCheckAsShipped) {
  for (const char* version : {"2016", "2019"}) {
    std::string config = std::string(TRIPLINE_SOURCE_DIR) + "/config/agent-windows-exchange" +
                         version + ".yaml";
    Process check({"/usr/bin/wine", TRIPLINE_WINDOWS_AGENT, "--check-config", "-c",
                   WinPath(config)},
                  dir_.File(std::string("check") + version + ".out"));
    EXPECT_EQ(check.Wait(60s), 0) << ReadFile(dir_.File(std::string("check") + version + ".out"));
  }
}

// The real .exe as a Windows service (Wine's service control manager): installed, started,
// shipping, stopped in order with exit code 0, removed. (Wine refuses the delayed-start and
// error-exit recovery settings; install warns and keeps the service: see README.)
TEST_F(WindowsAgent, RunsAsAServiceShipsAndStopsInOrder) {
  WriteConfig("  - name: iis\n    paths: ['" + WinPath(dir_.File("W3SVC1")) +
              "\\u_ex*.log']\n    format: w3c\n    discover_interval_ms: 100\n");
  dir_.Write("W3SVC1/u_ex210305.log", kHeader + Lines(0, 2000));
  const std::string name = "TriplineTest" + testing::UniqueSuffix();
  auto service = [&](std::vector<std::string> args, const std::string& log) {
    std::vector<std::string> argv{"/usr/bin/wine", TRIPLINE_WINDOWS_AGENT, "service"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--name", name});
    Process p(argv, dir_.File(log));
    return p.Wait(120s).value_or(-1);
  };
  ASSERT_EQ(service({"install", "--config", WinPath(dir_.File("agent.yaml"))}, "install.out"), 0)
      << ReadFile(dir_.File("install.out"));
  EXPECT_NE(ReadFile(dir_.File("install.out")).find("installed service " + name),
            std::string::npos);
  ASSERT_EQ(service({"start"}, "start.out"), 0) << ReadFile(dir_.File("start.out"));

  std::set<int> lines;
  testing::ConsumeTopicUntil(
      testing::FixtureBootstrap(), topic_,
      [&](const testing::KafkaRecord& r) {
        v1::Event e;
        constexpr std::string_view kPrefix = "/ecp/line/";
        if (e.ParseFromString(r.value) && e.http().url_path().rfind(kPrefix, 0) == 0) {
          lines.insert(std::stoi(e.http().url_path().substr(kPrefix.size())));
        }
        return lines.size() >= 2000;
      },
      90s, 90s);
  EXPECT_EQ(lines.size(), 2000u) << ReadFile(dir_.File("start.out"));

  ASSERT_EQ(service({"status"}, "status.out"), 0);
  EXPECT_NE(ReadFile(dir_.File("status.out")).find("RUNNING"), std::string::npos)
      << ReadFile(dir_.File("status.out"));
  ASSERT_EQ(service({"stop"}, "stop.out"), 0) << ReadFile(dir_.File("stop.out"));
  EXPECT_NE(ReadFile(dir_.File("stop.out")).find("stopped (exit code 0)"), std::string::npos)
      << ReadFile(dir_.File("stop.out"));
  // The ordered stop saved the position: the state file names the log at its end.
  EXPECT_TRUE(std::filesystem::exists(dir_.File("data/state/iis.state")));
  ASSERT_EQ(service({"uninstall"}, "uninstall.out"), 0) << ReadFile(dir_.File("uninstall.out"));
  // (DeleteService only marks the service for deletion: until the service manager lets go of
  // it, a status query may still find it, so what is checked is the removal itself.)
  EXPECT_NE(ReadFile(dir_.File("uninstall.out")).find("removed service " + name),
            std::string::npos)
      << ReadFile(dir_.File("uninstall.out"));
}

}  // namespace
}  // namespace tripline
