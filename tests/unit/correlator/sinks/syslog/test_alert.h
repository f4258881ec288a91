#pragma once

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator::testing {

// One alert with an HTTP evidence event, values chosen to exercise every escaping rule: a pipe
// and a backslash in the title, `=` and `\` in the user, `=` and `|` in the query, a newline in
// the user agent, the LEEF delimiter and a tab in the message, UTF-8 in the URL.
inline v1::Alert HostileAlert() {
  v1::Alert a;
  a.set_alert_id("a1b2c3");
  a.mutable_rule()->set_id("rule-1");
  a.mutable_rule()->set_title("Web shell | C:\\inetpub");
  a.mutable_rule()->set_kind("sigma");
  a.mutable_rule()->set_ruleset("hafnium");
  a.set_severity(v1::SEVERITY_CRITICAL);
  a.add_attack_technique_ids("T1505.003");
  a.add_attack_technique_ids("T1190");
  a.add_attack_tactic_ids("persistence");
  a.mutable_host()->set_id("host-id-1");
  a.mutable_host()->set_name("EXCH01");
  a.mutable_host()->add_ips("10.0.0.5");
  a.set_group_key("EXCH01");
  a.mutable_window_start()->set_seconds(1614913587);
  a.mutable_window_end()->set_seconds(1614913588);
  a.mutable_window_end()->set_nanos(250'000'000);
  a.mutable_created_time()->set_seconds(1614913589);
  a.mutable_created_time()->set_nanos(500'000'000);
  a.add_event_ids("ev-1");
  a.add_event_ids("ev-2");
  a.set_message("POST x^y\tdone");
  v1::Event* e = a.add_events();
  e->set_event_id("ev-1");
  v1::HttpRequest* h = e->mutable_http();
  h->set_source_ip("203.0.113.7");
  h->set_source_port(51000);
  h->set_destination_port(443);
  h->set_user_name("CORP\\adm=in");
  h->set_method("POST");
  h->set_url_path("/owa/auth/\xc3\xa9t\xc3\xa9.aspx");
  h->set_url_query("a=b|c");
  h->set_user_agent("Mozilla/5.0\r\nX");
  return a;
}

}  // namespace tripline::correlator::testing
