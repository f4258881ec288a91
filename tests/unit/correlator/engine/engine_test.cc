// The engine end to end: rules in, plain events in, alerts out as the SOC will see them.
#include "correlator/engine/engine.h"

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "common/hash.h"
#include "correlator/engine/rule_loader.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

using testing::HttpEvent;
using testing::ProcessEvent;

const char kOwaAspxPost[] =
    "title: POST to an ASPX under /owa/auth\n"
    "id: 0b0b5b34-1111-4c52-9d7c-000000000001\n"
    "description: Web shell use in the OWA auth folder\n"
    "references: [https://www.microsoft.com/security/blog/2021/03/02/hafnium/]\n"
    "tags: [attack.persistence, attack.t1505.003, cve.2021-26855]\n"
    "level: critical\n"
    "logsource:\n"
    "  category: webserver\n"
    "  product: windows\n"
    "detection:\n"
    "  selection:\n"
    "    cs-method: POST\n"
    "    cs-uri-stem: '/owa/auth/*.aspx'\n"
    "  filter_logon:\n"
    "    cs-uri-stem|endswith: '/logon.aspx'\n"
    "  condition: selection and not filter_logon\n";

google::protobuf::Timestamp FixedNow() {
  google::protobuf::Timestamp t;
  t.set_seconds(1700000000);
  return t;
}

LoadResult MustLoad(const std::string& yaml, const std::string& file = "rules/owa.yml") {
  LoadResult r = testing::LoadRules(yaml, file);
  EXPECT_TRUE(r.errors.empty()) << absl::StrJoin(r.errors, "\n");
  return r;
}

TEST(EngineTest, PostToOwaAuthAspxRaisesACompleteAlert) {
  Engine engine(MustLoad(kOwaAspxPost).rules, &FixedNow);
  v1::Event event = HttpEvent("POST", "/owa/auth/Shell.ASPX", "cmd=whoami");
  std::vector<v1::Alert> alerts;
  engine.Process(event, &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  const v1::Alert& a = alerts[0];
  EXPECT_EQ(a.alert_id(),
            ::tripline::StableId({"0b0b5b34-1111-4c52-9d7c-000000000001", "host-1", "ev-http-1"}));
  EXPECT_EQ(a.rule().id(), "0b0b5b34-1111-4c52-9d7c-000000000001");
  EXPECT_EQ(a.rule().title(), "POST to an ASPX under /owa/auth");
  EXPECT_EQ(a.rule().kind(), "sigma");
  EXPECT_EQ(a.rule().ruleset(), "rules/owa.yml");
  EXPECT_EQ(a.rule().description(), "Web shell use in the OWA auth folder");
  ASSERT_EQ(a.rule().references_size(), 1);
  EXPECT_EQ(a.rule().tags_size(), 3);
  EXPECT_EQ(a.severity(), v1::SEVERITY_CRITICAL);
  ASSERT_EQ(a.attack_technique_ids_size(), 1);
  EXPECT_EQ(a.attack_technique_ids(0), "T1505.003");
  ASSERT_EQ(a.attack_tactic_ids_size(), 1);
  EXPECT_EQ(a.attack_tactic_ids(0), "persistence");
  EXPECT_EQ(a.host().name(), "EXCH01");
  EXPECT_EQ(a.group_key(), "host-1");
  EXPECT_EQ(a.window_start().seconds(), 1614913587);
  EXPECT_EQ(a.window_end().seconds(), 1614913587);
  EXPECT_EQ(a.created_time().seconds(), 1700000000);
  ASSERT_EQ(a.event_ids_size(), 1);
  EXPECT_EQ(a.event_ids(0), "ev-http-1");
  ASSERT_EQ(a.events_size(), 1);
  EXPECT_EQ(a.events(0).http().url_path(), "/owa/auth/Shell.ASPX");
  EXPECT_EQ(a.message(),
            "POST to an ASPX under /owa/auth on EXCH01: POST /owa/auth/Shell.ASPX?cmd=whoami -> "
            "200 from 203.0.113.7");
}

TEST(EngineTest, OwaRuleIgnoresWhatItShouldIgnore) {
  Engine engine(MustLoad(kOwaAspxPost).rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  engine.Process(HttpEvent("GET", "/owa/auth/shell.aspx"), &alerts);        // not a POST
  engine.Process(HttpEvent("POST", "/owa/auth/logon.aspx"), &alerts);       // filtered
  engine.Process(HttpEvent("POST", "/owa/auth/x.aspx.txt"), &alerts);       // not .aspx
  engine.Process(HttpEvent("POST", "/ecp/auth/shell.aspx"), &alerts);       // other folder
  EXPECT_TRUE(alerts.empty());
  EXPECT_EQ(engine.counters().events, 4u);
  EXPECT_EQ(engine.counters().matched_events, 0u);
}

TEST(EngineTest, AlertIdIsStableAcrossReplays) {
  auto rules = MustLoad(kOwaAspxPost).rules;
  std::vector<v1::Alert> first, second;
  Engine(rules, &FixedNow).Process(HttpEvent("POST", "/owa/auth/a.aspx"), &first);
  Engine(rules).Process(HttpEvent("POST", "/owa/auth/a.aspx"), &second);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].alert_id(), second[0].alert_id());
}

TEST(EngineTest, WebserverRuleNeverSeesProcessEvents) {
  // Without routing, `cs-username: null` would match every process event (the field is absent
  // there) and the keyword would match its raw text.
  std::string rule = testing::MakeRule(testing::kWebLogsource,
                                       "  anonymous:\n"
                                       "    cs-username: null\n"
                                       "  keywords:\n"
                                       "    - whoami\n"
                                       "  condition: anonymous and keywords\n");
  EXPECT_TRUE(testing::Run(rule, ProcessEvent("C:\\Windows\\System32\\whoami.exe", "whoami"))
                  .empty());
  v1::Event web = HttpEvent("GET", "/owa/x", "c=whoami");
  EXPECT_EQ(testing::Run(rule, web).size(), 1u);
}

TEST(EngineTest, ProcessRuleNeverSeesWebEventsOrOtherProducts) {
  std::string rule = testing::MakeRule(testing::kProcessLogsource,
                                       "  keywords:\n    - whoami\n  condition: keywords\n");
  EXPECT_TRUE(testing::Run(rule, HttpEvent("GET", "/whoami")).empty());
  v1::Event linux_proc = ProcessEvent("/usr/bin/whoami", "whoami");
  linux_proc.mutable_host()->set_os_type("linux");
  linux_proc.mutable_source()->set_format("proc_connector");  // the agent's process source
  EXPECT_TRUE(testing::Run(rule, linux_proc).empty());
  EXPECT_EQ(testing::Run(rule, ProcessEvent("C:\\x\\whoami.exe", "whoami")).size(), 1u);
}

TEST(EngineTest, SigmaHqWebShellChildProcessRuleFires) {
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths(
      {std::string(TRIPLINE_SHARED_DIR) + "/data/sigma/rules/windows/process_creation/"
                                          "proc_creation_win_webshell_susp_process_spawned_from_"
                                          "webserver.yml"});
  ASSERT_TRUE(r.errors.empty()) << absl::StrJoin(r.errors, "\n");
  Engine engine(r.rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  engine.Process(ProcessEvent("C:\\Windows\\System32\\cmd.exe", "cmd /c whoami",
                              "c:\\windows\\system32\\inetsrv\\w3wp.exe"),
                 &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().id(), "8202070f-edeb-4d31-a010-a26c72ac5600");
  EXPECT_EQ(alerts[0].message(),
            "Suspicious Process By Web Server Process on EXCH01: cmd /c whoami");
  engine.Process(ProcessEvent("C:\\Windows\\System32\\cmd.exe", "cmd /c dir"), &alerts);
  EXPECT_EQ(alerts.size(), 1u);  // explorer.exe parent: no alert
  EXPECT_EQ(engine.counters().events, 2u);
  EXPECT_EQ(engine.counters().matched_events, 1u);
  EXPECT_EQ(engine.counters().alerts, 1u);
}

TEST(EngineTest, SigmaHqExchangeCmdletKeywordRuleFires) {
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths({std::string(TRIPLINE_SHARED_DIR) +
                                   "/data/sigma/rules/windows/builtin/msexchange/"
                                   "win_exchange_proxylogon_oabvirtualdir.yml"});
  ASSERT_TRUE(r.errors.empty()) << absl::StrJoin(r.errors, "\n");
  v1::Event e;
  e.set_event_id("ev-cmd-1");
  e.mutable_host()->set_name("EXCH01");  // no host id: group key falls back to the name
  e.set_original(
      "Set-OabVirtualDirectory -ExternalUrl 'http://f/<script language=\"JScript\" "
      "runat=\"server\">function Page_Load(){eval(Request[\"p\"],\"unsafe\");}</script>' "
      "-Identity 'OAB (Default Web Site)'");
  e.mutable_cmdlet()->set_name("Set-OabVirtualDirectory");
  Engine engine(r.rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  engine.Process(e, &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].group_key(), "EXCH01");
  EXPECT_EQ(alerts[0].severity(), v1::SEVERITY_CRITICAL);
}

TEST(EngineTest, ServiceInstallAndSecurityEventsRouteByService) {
  std::string rules =
      testing::MakeRule("  product: windows\n  service: system\n",
                        "  sel:\n    EventID: 7045\n    ImagePath|contains: '\\Temp\\'\n"
                        "  condition: sel\n",
                        "svc") +
      "---\n" +
      testing::MakeRule("  product: windows\n  service: security\n",
                        "  sel:\n    EventID: 4625\n    TargetUserName: Administrator\n"
                        "  condition: sel\n",
                        "sec");
  LoadResult r = MustLoad(rules);
  Engine engine(r.rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  v1::Event svc;
  svc.mutable_host()->set_os_type("windows");
  svc.mutable_service()->set_action(v1::ServiceChange::ACTION_INSTALLED);
  svc.mutable_service()->set_executable("C:\\Windows\\Temp\\x.exe");
  engine.Process(svc, &alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule().id(), "svc");
  v1::Event sec;
  sec.mutable_windows()->set_channel("Security");
  sec.mutable_windows()->set_event_code(4625);
  (*sec.mutable_windows()->mutable_data())["TargetUserName"] = "administrator";
  engine.Process(sec, &alerts);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[1].rule().id(), "sec");
  sec.mutable_windows()->set_channel("Application");  // same data, other channel: no alert
  engine.Process(sec, &alerts);
  EXPECT_EQ(alerts.size(), 2u);
}

TEST(EngineTest, OneAlertPerMatchingRule) {
  std::string rules =
      testing::MakeRule(testing::kProcessLogsource,
                        "  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n", "r1") +
      "---\n" +
      testing::MakeRule(testing::kProcessLogsource,
                        "  sel:\n    CommandLine|contains: whoami\n  condition: sel\n", "r2");
  Engine engine(MustLoad(rules).rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  engine.Process(ProcessEvent("C:\\Windows\\System32\\cmd.exe", "cmd /c whoami"), &alerts);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_NE(alerts[0].alert_id(), alerts[1].alert_id());
  EXPECT_EQ(engine.counters().matched_events, 1u);
  EXPECT_EQ(engine.counters().alerts, 2u);
}

// A rule firing on every request of a noisy client would bury the analyst: within the window
// the same rule and host stay quiet (counted), another host is not affected, a restored
// snapshot keeps the open windows, and the window is event time (a replay suppresses the same).
TEST(EngineTest, SuppressionWindowHoldsBackRepeatsOfARuleForOneKey) {
  LoadResult r = MustLoad(kOwaAspxPost);
  auto shell = [](const std::string& host, int64_t at, const std::string& id) {
    v1::Event e = HttpEvent("POST", "/owa/auth/x.aspx");
    e.mutable_host()->set_id(host);
    e.set_event_id(id);
    e.mutable_event_time()->set_seconds(1614913200 + at);
    return e;
  };
  auto run = [&](Engine& engine, const v1::Event& e) {
    std::vector<v1::Alert> out;
    engine.Process(e, &out);
    return out.size();
  };
  Engine engine(r.rules, FixedNow);
  engine.set_suppression_window_us(600'000'000);  // 10 minutes
  EXPECT_EQ(run(engine, shell("EXCH01", 0, "a")), 1u);
  EXPECT_EQ(run(engine, shell("EXCH01", 300, "b")), 0u);
  EXPECT_EQ(run(engine, shell("EXCH02", 310, "c")), 1u);  // another key
  std::string state;
  engine.SaveState(&state);
  Engine restored(r.rules, FixedNow);
  restored.set_suppression_window_us(600'000'000);
  ASSERT_TRUE(restored.RestoreState(state).ok());
  EXPECT_EQ(run(restored, shell("EXCH01", 599, "d")), 0u);  // still inside EXCH01's window
  EXPECT_EQ(run(restored, shell("EXCH01", 600, "e")), 1u);  // the window has passed
  EXPECT_EQ(engine.counters().suppressed, 1u);
  EXPECT_EQ(restored.counters().suppressed, 1u);
  EXPECT_EQ(restored.counters().alerts, 1u);
  // Off by default.
  Engine plain(r.rules, FixedNow);
  EXPECT_EQ(run(plain, shell("EXCH01", 0, "a")), 1u);
  EXPECT_EQ(run(plain, shell("EXCH01", 1, "b")), 1u);
}

}  // namespace
}  // namespace tripline::correlator::engine
