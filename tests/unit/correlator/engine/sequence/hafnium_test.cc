// The shipped config/rules/hafnium rules load and catch the canonical Hafnium web shell chain:
// a page written under the web root, requested at its URL path, then w3wp.exe spawning cmd.exe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "correlator/engine/engine.h"
#include "tests/unit/correlator/engine/sequence/sequence_test_util.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

using ::testing::ElementsAre;
using testing::FileEvent;
using testing::Request;
using testing::ServiceInstalled;
using testing::Spawn;

constexpr char kW3wp[] = "c:\\windows\\system32\\inetsrv\\w3wp.exe";
constexpr char kCmd[] = "C:\\Windows\\System32\\cmd.exe";

TEST(Hafnium, ShippedRulesLoad) {
  std::shared_ptr<const RuleSet> rules = testing::ShippedHafniumRules();
  EXPECT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules->sequences().size(), 1u);
  EXPECT_EQ(rules->first_seen().size(), 1u);
}

TEST(Hafnium, WebShellWrittenRequestedAndSpawningCmdRaisesOneAlert) {
  testing::EngineHarness h(testing::ShippedHafniumRules(), /*lateness_seconds=*/300);
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx", 0, "fim-1"));
  h.Feed(Request("EXCH01", "/owa/auth/logon.aspx", 30, "iis-0"));  // ordinary traffic
  EXPECT_TRUE(h.Feed(Request("EXCH01", "/aspnet_client/shell.aspx", 3600, "iis-1")).empty());
  std::vector<v1::Alert> alerts = h.Feed(Spawn("EXCH01", kW3wp, kCmd, 3640, "sysmon-1"));
  ASSERT_EQ(alerts.size(), 1u);
  const v1::Alert& a = alerts[0];
  EXPECT_EQ(a.rule().id(), "7b0c3f52-91d4-4a8e-b6f1-5e2a9c4d8f10");
  EXPECT_EQ(a.rule().kind(), "sequence");
  EXPECT_EQ(a.severity(), v1::SEVERITY_CRITICAL);
  EXPECT_THAT(a.attack_technique_ids(), ElementsAre("T1505.003", "T1059.003"));
  EXPECT_THAT(a.event_ids(), ElementsAre("fim-1", "iis-1", "sysmon-1"));
  EXPECT_EQ(a.group_key(), "EXCH01");
}

TEST(Hafnium, OwaAuthFolderShellIsJoinedToItsUrlPath) {
  testing::EngineHarness h(testing::ShippedHafniumRules());
  h.Feed(FileEvent("EXCH01",
                   "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\"
                   "auth\\RedirSuiteServerProxy.aspx",
                   0, "fim-1"));
  h.Feed(Request("EXCH01", "/owa/auth/RedirSuiteServiceProxy.aspx", 10, "genuine"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 20, "sysmon-0")).empty());
  h.Feed(Request("EXCH01", "/owa/auth/RedirSuiteServerProxy.aspx", 30, "iis-1"));
  EXPECT_EQ(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 40, "sysmon-1")).size(), 1u);
}

TEST(Hafnium, NoAlertOutsideTheWindowsOrOnAnotherHost) {
  testing::EngineHarness h(testing::ShippedHafniumRules());
  h.Feed(FileEvent("EXCH01", "C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx", 0, "fim-a"));
  h.Feed(Request("EXCH02", "/aspnet_client/a.aspx", 10, "iis-other-host"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH02", kW3wp, kCmd, 20, "sysmon-other-host")).empty());
  h.Feed(Request("EXCH01", "/aspnet_client/a.aspx", 30, "iis-a"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 30 + 11 * 60, "too-late")).empty())
      << "cmd.exe 11 minutes after the request; the rule allows 10";
  // A page written outside the web roots is not a step 1.
  h.Feed(FileEvent("EXCH01", "C:\\Windows\\Temp\\b.aspx", 2000, "fim-b"));
  h.Feed(Request("EXCH01", "/b.aspx", 2010, "iis-b"));
  EXPECT_TRUE(h.Feed(Spawn("EXCH01", kW3wp, kCmd, 2020, "sysmon-b")).empty());
}

TEST(Hafnium, NewServiceOnAnExchangeServerAfterTheBaseline) {
  testing::EngineHarness h(testing::ShippedHafniumRules());
  auto service = [](const std::string& name, int64_t seconds, const std::string& id) {
    v1::Event e = ServiceInstalled("EXCH01", name, seconds, id);
    e.mutable_host()->set_exchange_build("15.1.2176.2");
    return e;
  };
  EXPECT_TRUE(h.Feed(service("MSExchangeTransport", 0, "svc-1")).empty());
  EXPECT_TRUE(h.Feed(service("MSExchangeTransport", 8 * 86400, "svc-2")).empty());
  std::vector<v1::Alert> alerts = h.Feed(service("PSEXESVC", 8 * 86400 + 60, "svc-3"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().kind(), "first_seen");
  EXPECT_EQ(alerts[0].rule().id(), "2d9e4a17-6c3b-4f85-a0d2-8b7e1f5c9a34");
  EXPECT_TRUE(h.Feed(ServiceInstalled("WEB01", "NewThing", 9 * 86400, "svc-4")).empty())
      << "not an Exchange server";
}

}  // namespace
}  // namespace tripline::correlator::engine
