#include "correlator/sinks/splunk_hec/hec_envelope.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "correlator/sinks/ecs/alert_ecs.h"

namespace tripline::correlator {
namespace {

v1::Alert ShellAlert() {
  v1::Alert a;
  a.set_alert_id("al-1");
  a.mutable_rule()->set_id("rule-7");
  a.mutable_rule()->set_title("OWA web shell request");
  a.set_severity(v1::SEVERITY_CRITICAL);
  a.add_attack_technique_ids("T1505.003");
  a.add_attack_technique_ids("T1190");
  a.mutable_host()->set_id("h-1");
  a.mutable_host()->set_name("EXCH01");
  a.mutable_window_end()->set_seconds(1614913587);
  a.mutable_window_end()->set_nanos(250'999'999);
  a.set_message("web shell request on EXCH01");
  v1::Event* e = a.add_events();
  e->mutable_http()->set_source_ip("203.0.113.9");
  e->mutable_http()->set_user_name("CONTOSO\\eve");
  v1::Event* e2 = a.add_events();
  e2->mutable_http()->set_source_ip("203.0.113.10");
  e2->mutable_http()->set_user_name("CONTOSO\\eve");
  return a;
}

TEST(HecEnvelope, CarriesTheMetadataTheCimAlertFieldsAndTheWholeEcsDocument) {
  v1::Alert a = ShellAlert();
  std::string ecs = AlertToEcsJson(a);
  std::string env = RenderHecEnvelope(a, ecs, {"security", "tripline:alert", "tripline", ""});
  EXPECT_EQ(env.find('\n'), std::string::npos);
  // Milliseconds, truncated, written exactly (not as a rounded double).
  EXPECT_EQ(env.rfind("{\"time\":1614913587.250,", 0), 0u) << env;
  auto j = nlohmann::json::parse(env);
  EXPECT_EQ(j["host"], "EXCH01");  // the alert's host when none is configured
  EXPECT_EQ(j["index"], "security");
  EXPECT_EQ(j["source"], "tripline");
  EXPECT_EQ(j["sourcetype"], "tripline:alert");
  const auto& ev = j["event"];
  EXPECT_EQ(ev["app"], "tripline");
  EXPECT_EQ(ev["type"], "alert");
  EXPECT_EQ(ev["id"], "al-1");
  EXPECT_EQ(ev["signature"], "OWA web shell request");
  EXPECT_EQ(ev["signature_id"], "rule-7");
  EXPECT_EQ(ev["severity"], "critical");
  EXPECT_EQ(ev["description"], "web shell request on EXCH01");
  EXPECT_EQ(ev["dest"], "EXCH01");
  EXPECT_EQ(ev["src"], nlohmann::json({"203.0.113.9", "203.0.113.10"}));
  EXPECT_EQ(ev["user"], "CONTOSO\\eve");  // one distinct value: a plain string
  EXPECT_EQ(ev["mitre_technique_id"], nlohmann::json({"T1505.003", "T1190"}));
  EXPECT_EQ(ev["ecs"], nlohmann::json::parse(ecs));
  EXPECT_EQ(ev["ecs"]["rule"]["id"], "rule-7");
}

TEST(HecEnvelope, ConfiguredHostWinsAndEmptyIndexAndSourceAreLeftOut) {
  v1::Alert a = ShellAlert();
  a.set_severity(v1::SEVERITY_UNSPECIFIED);
  a.clear_events();
  auto j = nlohmann::json::parse(RenderHecEnvelope(a, "{}", {"", "_json", "", "correlator-1"}));
  EXPECT_EQ(j["host"], "correlator-1");
  EXPECT_FALSE(j.contains("index"));
  EXPECT_FALSE(j.contains("source"));
  EXPECT_EQ(j["event"]["dest"], "EXCH01");  // dest stays the alert's host
  EXPECT_EQ(j["event"]["severity"], "informational");
  EXPECT_FALSE(j["event"].contains("src"));
  EXPECT_FALSE(j["event"].contains("user"));
}

TEST(HecEnvelope, BatchesAreCutAtTheByteLimitInOrder) {
  struct Case {
    std::vector<size_t> sizes;
    size_t max;
    std::vector<size_t> runs;
  };
  const Case cases[] = {
      {{}, 100, {}},
      {{10, 10, 10}, 32, {3}},      // 10+1+10+1+10 = 32: fits exactly
      {{10, 10, 10}, 31, {2, 1}},
      {{10, 10, 10}, 21, {2, 1}},
      {{10, 10, 10}, 20, {1, 1, 1}},
      {{50, 10, 10}, 21, {1, 2}},   // an oversized envelope goes alone
      {{10, 50, 10}, 20, {1, 1, 1}},
      {{5, 5, 5, 5}, 0, {1, 1, 1, 1}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SplitIntoBatches(c.sizes, c.max), c.runs) << "max " << c.max;
  }
}

}  // namespace
}  // namespace tripline::correlator
