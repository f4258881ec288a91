#include "correlator/api/fleet_registry.h"

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "common/time_util.h"
#include "correlator/api/fleet_alert.h"
#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

using Kind = FleetTransition::Kind;
constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;

v1::AgentStatus Agent(const std::string& id, const std::string& health = "ok") {
  v1::AgentStatus a;
  a.set_agent_id(id);
  a.set_host_name(id + ".contoso.local");
  a.set_version("0.1.0");
  a.set_exchange_build("15.1.2176.2");
  a.set_source_lag_bytes(10);
  a.set_spool_bytes(4096);
  a.set_health(health);
  return a;
}

// A registry on a clock the test moves: heartbeat every 10 s, silent after 2 intervals (20 s).
class FleetRegistryTest : public ::testing::Test {
 protected:
  FleetConfig Config(const std::string& state_file = "") {
    FleetConfig c;
    c.heartbeat_interval_s = 10;
    c.silent_after_intervals = 2;
    c.state_file = state_file;
    c.max_agents = 3;
    return c;
  }
  std::unique_ptr<FleetRegistry> Make(const std::string& state_file = "") {
    return std::make_unique<FleetRegistry>(Config(state_file), [this] { return now_; });
  }
  std::string Health(const FleetRegistry& r, const std::string& id) {
    for (const auto& a : r.List()) {
      if (a.agent_id() == id) return a.health();
    }
    return "absent";
  }
  std::vector<Kind> Kinds(const std::vector<FleetTransition>& ts, const std::string& id) {
    std::vector<Kind> out;
    for (const auto& t : ts) {
      if (t.agent.agent_id() == id) out.push_back(t.kind);
    }
    return out;
  }

  int64_t now_ = kStart;
};

TEST_F(FleetRegistryTest, AnAgentWhoseHeartbeatsStopIsSilentOnceUntilItComesBack) {
  auto r = Make();
  ASSERT_TRUE(r->Register(Agent("exch01")).ok());
  ASSERT_TRUE(r->Register(Agent("exch02")).ok());
  // exch02 keeps heartbeating, exch01 stops after its registration.
  for (int i = 1; i <= 2; ++i) {
    now_ += 10 * kSecond;
    ASSERT_TRUE(r->Heartbeat(Agent("exch02")).ok());
    EXPECT_TRUE(r->Check().empty());
  }
  EXPECT_EQ(Health(*r, "exch01"), "ok");  // exactly 20 s: not yet
  now_ += 1 * kSecond;
  EXPECT_EQ(Health(*r, "exch01"), "silent");  // ListAgents tells, even before the check
  std::vector<FleetTransition> ts = r->Check();
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].kind, Kind::kSilent);
  EXPECT_EQ(ts[0].agent.agent_id(), "exch01");
  EXPECT_EQ(ts[0].agent.health(), "silent");
  EXPECT_EQ(ts[0].last_seen_us, kStart);
  EXPECT_EQ(Health(*r, "exch02"), "ok");
  // Still silent a minute later, and never reported a second time.
  for (int i = 0; i < 6; ++i) {
    now_ += 10 * kSecond;
    ASSERT_TRUE(r->Heartbeat(Agent("exch02")).ok());
    EXPECT_TRUE(Kinds(r->Check(), "exch01").empty());
    EXPECT_EQ(Health(*r, "exch01"), "silent");
  }
  // Back: one kBack carrying the last heartbeat before the silence, health ok again.
  ASSERT_TRUE(r->Heartbeat(Agent("exch01")).ok());
  EXPECT_EQ(Health(*r, "exch01"), "ok");
  ts = r->Check();
  EXPECT_EQ(Kinds(ts, "exch01"), std::vector<Kind>{Kind::kBack});
  EXPECT_EQ(ts[0].last_seen_us, kStart);
  EXPECT_TRUE(r->Check().empty());
  // A second silence is a second alert.
  now_ += 21 * kSecond;
  EXPECT_EQ(Kinds(r->Check(), "exch01"), std::vector<Kind>{Kind::kSilent});
}

TEST_F(FleetRegistryTest, ReportedDegradationIsATransitionNotASilence) {
  auto r = Make();
  ASSERT_TRUE(r->Register(Agent("exch01")).ok());
  EXPECT_TRUE(r->Check().empty());
  now_ += 10 * kSecond;
  ASSERT_TRUE(r->Heartbeat(Agent("exch01", "degraded")).ok());
  EXPECT_EQ(Health(*r, "exch01"), "degraded");
  EXPECT_EQ(Kinds(r->Check(), "exch01"), std::vector<Kind>{Kind::kDegraded});
  EXPECT_TRUE(r->Check().empty());
  now_ += 10 * kSecond;
  ASSERT_TRUE(r->Heartbeat(Agent("exch01", "ok")).ok());
  EXPECT_EQ(Kinds(r->Check(), "exch01"), std::vector<Kind>{Kind::kRecovered});
}

TEST_F(FleetRegistryTest, BadReportsAndTooManyAgentsAreRefused) {
  auto r = Make();
  EXPECT_TRUE(absl::IsInvalidArgument(r->Register(Agent(""))));
  EXPECT_TRUE(absl::IsInvalidArgument(r->Heartbeat(Agent("exch01", "silent"))));
  EXPECT_TRUE(absl::IsInvalidArgument(r->Register(Agent(std::string(300, 'x')))));
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(r->Register(Agent(id)).ok());
  EXPECT_TRUE(absl::IsResourceExhausted(r->Register(Agent("d"))));
  EXPECT_TRUE(r->Heartbeat(Agent("a")).ok());  // known agents still report
  EXPECT_EQ(r->List().size(), 3u);
}

TEST_F(FleetRegistryTest, ARestartKeepsTheAgentsAndTheirSilenceWithoutASecondAlert) {
  testing::TempDir dir;
  const std::string file = dir.File("fleet/agents.bin");
  {
    auto r = Make(file);
    ASSERT_TRUE(r->Register(Agent("exch01")).ok());
    ASSERT_TRUE(r->Register(Agent("exch02")).ok());
    now_ += 15 * kSecond;
    ASSERT_TRUE(r->Heartbeat(Agent("exch02")).ok());
    now_ += 10 * kSecond;
    EXPECT_EQ(Kinds(r->Check(), "exch01"), std::vector<Kind>{Kind::kSilent});
    ASSERT_TRUE(r->SaveIfChanged().ok());
  }
  // The correlator was down for five minutes.
  now_ += 300 * kSecond;
  auto r = Make(file);
  ASSERT_TRUE(r->Load().ok());
  std::vector<v1::AgentStatus> agents = r->List();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].agent_id(), "exch01");
  EXPECT_EQ(agents[0].host_name(), "exch01.contoso.local");
  EXPECT_EQ(agents[0].exchange_build(), "15.1.2176.2");
  EXPECT_EQ(MicrosFromTimestamp(agents[0].last_seen()), kStart);
  EXPECT_EQ(agents[0].health(), "silent");
  EXPECT_EQ(agents[1].agent_id(), "exch02");
  EXPECT_EQ(MicrosFromTimestamp(agents[1].last_seen()), kStart + 15 * kSecond);
  EXPECT_EQ(agents[1].spool_bytes(), 4096u);
  // exch02 gets its grace from the restart (no alert for the correlator's own downtime);
  // exch01 was already reported.
  EXPECT_EQ(agents[1].health(), "ok");
  EXPECT_TRUE(r->Check().empty());
  now_ += 21 * kSecond;
  std::vector<FleetTransition> ts = r->Check();
  EXPECT_TRUE(Kinds(ts, "exch01").empty());
  EXPECT_EQ(Kinds(ts, "exch02"), std::vector<Kind>{Kind::kSilent});
  // exch01 reporting again is its way back.
  ASSERT_TRUE(r->Heartbeat(Agent("exch01")).ok());
  EXPECT_EQ(Kinds(r->Check(), "exch01"), std::vector<Kind>{Kind::kBack});
}

TEST_F(FleetRegistryTest, ACorruptStateFileIsReportedAndNothingIsLoaded) {
  testing::TempDir dir;
  const std::string file = dir.File("agents.bin");
  {
    auto r = Make(file);
    ASSERT_TRUE(r->Register(Agent("exch01")).ok());
    ASSERT_TRUE(r->SaveIfChanged().ok());
  }
  std::string bytes = *ReadWholeFile(file);
  bytes[bytes.size() - 3] ^= 0x55;
  ASSERT_TRUE(WriteFileAtomically(file, bytes).ok());
  auto r = Make(file);
  EXPECT_TRUE(absl::IsDataLoss(r->Load()));
  EXPECT_TRUE(r->List().empty());
  // No file yet is no problem.
  auto fresh = Make(dir.File("none.bin"));
  EXPECT_TRUE(fresh->Load().ok());
}

TEST(AgentSilentAlert, NamesTheAgentItsHostAndLastSeenWithAStableId) {
  v1::AgentStatus a = Agent("exch01");
  v1::Alert alert = AgentSilentAlert(a, kStart, kStart + 25 * kSecond, 20 * kSecond);
  EXPECT_EQ(alert.rule().id(), "tripline-fleet-agent-silent");
  EXPECT_EQ(alert.rule().title(), "Tripline agent silent");
  EXPECT_EQ(alert.severity(), v1::SEVERITY_HIGH);
  ASSERT_EQ(alert.attack_technique_ids_size(), 1);
  EXPECT_EQ(alert.attack_technique_ids(0), "T1562.001");
  EXPECT_EQ(alert.host().name(), "exch01.contoso.local");
  EXPECT_EQ(alert.host().id(), "exch01");
  EXPECT_NE(alert.message().find("exch01"), std::string::npos) << alert.message();
  EXPECT_NE(alert.message().find(Rfc3339(TimestampFromMicros(kStart))), std::string::npos)
      << alert.message();
  // The same silence gives the same id (a replay after a crash); another silence another id.
  EXPECT_EQ(AgentSilentAlert(a, kStart, kStart + 99 * kSecond, 20 * kSecond).alert_id(),
            alert.alert_id());
  EXPECT_NE(AgentSilentAlert(a, kStart + kSecond, kStart + 25 * kSecond, 20 * kSecond).alert_id(),
            alert.alert_id());
}

}  // namespace
}  // namespace tripline::correlator
