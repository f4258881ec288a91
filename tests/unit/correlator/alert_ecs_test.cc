#include "correlator/sinks/ecs/alert_ecs.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tripline::correlator {
namespace {

v1::Alert SampleAlert() {
  v1::Alert a;
  a.set_alert_id("0123456789abcdef0123456789abcdef");
  a.mutable_rule()->set_id("4f6f0d0e-3b7a-4c55-9c1b-2d1e6a0b7a11");
  a.mutable_rule()->set_title("Unknown ASPX Page Requested In The OWA Auth Folder");
  a.mutable_rule()->set_kind("sigma");
  a.mutable_rule()->add_references("https://example.org/ref");
  a.mutable_rule()->add_tags("attack.t1505.003");
  a.set_severity(v1::SEVERITY_HIGH);
  a.add_attack_technique_ids("T1505.003");
  a.add_attack_tactic_ids("persistence");
  a.mutable_host()->set_name("exch01");
  a.mutable_host()->set_id("EXCH01");
  a.mutable_window_start()->set_seconds(1614913587);
  a.mutable_window_end()->set_seconds(1614913587);
  a.set_message("line with \"quotes\" and a \\ backslash");
  v1::Event* e = a.add_events();
  e->set_event_id("e1");
  e->mutable_http()->set_source_ip("139.162.202.236");
  e->mutable_http()->set_user_name("CORP\\alice");
  e->mutable_http()->set_url_path("/owa/auth/x.aspx");
  a.add_event_ids("e1");
  return a;
}

TEST(AlertEcs, ProjectsTheAlertOntoEcsFields) {
  auto doc = nlohmann::json::parse(AlertToEcsJson(SampleAlert()));
  EXPECT_EQ(doc["@timestamp"], "2021-03-05T03:06:27.000Z");
  EXPECT_EQ(doc["ecs"]["version"], "9.4.0");
  EXPECT_EQ(doc["event"]["kind"], "alert");
  EXPECT_EQ(doc["event"]["id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(doc["event"]["severity"], 73);
  EXPECT_EQ(doc["rule"]["id"], "4f6f0d0e-3b7a-4c55-9c1b-2d1e6a0b7a11");
  EXPECT_EQ(doc["rule"]["reference"], "https://example.org/ref");
  EXPECT_EQ(doc["threat"]["framework"], "MITRE ATT&CK");
  EXPECT_EQ(doc["threat"]["technique"]["id"][0], "T1505.003");
  EXPECT_EQ(doc["host"]["name"], "exch01");
  EXPECT_EQ(doc["related"]["ip"][0], "139.162.202.236");
  EXPECT_EQ(doc["related"]["user"][0], "CORP\\alice");
  EXPECT_EQ(doc["message"], "line with \"quotes\" and a \\ backslash");
  EXPECT_EQ(doc["tripline"]["events"][0]["http"]["url_path"], "/owa/auth/x.aspx");
  EXPECT_EQ(doc["tripline"]["severity"], "high");
}

TEST(AlertEcs, OneLineEvenWithNewlinesAndInvalidUtf8) {
  v1::Alert a = SampleAlert();
  a.set_message("two\nlines \xff\xfe bad utf8");
  std::string json = AlertToEcsJson(a);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  auto doc = nlohmann::json::parse(json);  // still valid JSON
  EXPECT_NE(doc["message"].get<std::string>().find("two\nlines"), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator
