#include "correlator/sinks/ecs/alert_ecs.h"

#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/time_util.h"

namespace tripline::correlator {
namespace {

constexpr const char* kEcsVersion = "9.4.0";

int SeverityNumber(v1::Severity s) {
  switch (s) {
    case v1::SEVERITY_CRITICAL: return 99;
    case v1::SEVERITY_HIGH: return 73;
    case v1::SEVERITY_MEDIUM: return 47;
    case v1::SEVERITY_LOW: return 21;
    default: return 0;
  }
}

nlohmann::json EventJson(const v1::Event& e) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(e, &out, opts).ok()) return nullptr;
  return nlohmann::json::parse(out, nullptr, false);
}

void AddRelated(const v1::Event& e, std::set<std::string>& ips, std::set<std::string>& users) {
  if (e.has_http()) {
    if (!e.http().source_ip().empty()) ips.insert(e.http().source_ip());
    if (!e.http().user_name().empty()) users.insert(e.http().user_name());
  } else if (e.has_network()) {
    if (!e.network().destination_ip().empty()) ips.insert(e.network().destination_ip());
  } else if (e.has_process() && !e.process().user_name().empty()) {
    users.insert(e.process().user_name());
  }
  for (const auto& ip : e.host().ips()) ips.insert(ip);
}

}  // namespace

const char* SeverityName(v1::Severity s) {
  switch (s) {
    case v1::SEVERITY_CRITICAL: return "critical";
    case v1::SEVERITY_HIGH: return "high";
    case v1::SEVERITY_MEDIUM: return "medium";
    case v1::SEVERITY_LOW: return "low";
    case v1::SEVERITY_INFORMATIONAL: return "informational";
    default: return "unknown";
  }
}

std::string AlertToEcsJson(const v1::Alert& a) {
  nlohmann::json doc;
  doc["@timestamp"] = Rfc3339(a.window_end());
  doc["ecs"] = {{"version", kEcsVersion}};
  doc["message"] = a.message();
  doc["event"] = {{"kind", "alert"},
                  {"category", {"intrusion_detection"}},
                  {"type", {"info"}},
                  {"id", a.alert_id()},
                  {"severity", SeverityNumber(a.severity())},
                  {"created", Rfc3339(a.created_time())},
                  {"start", Rfc3339(a.window_start())},
                  {"end", Rfc3339(a.window_end())},
                  {"module", "tripline"},
                  {"dataset", "tripline.alert"}};
  doc["rule"] = {{"id", a.rule().id()},
                 {"name", a.rule().title()},
                 {"ruleset", a.rule().ruleset()},
                 {"category", a.rule().kind()},
                 {"description", a.rule().description()}};
  if (a.rule().references_size() > 0) doc["rule"]["reference"] = a.rule().references(0);
  if (a.attack_technique_ids_size() > 0 || a.attack_tactic_ids_size() > 0) {
    doc["threat"]["framework"] = "MITRE ATT&CK";
    doc["threat"]["technique"]["id"] = std::vector<std::string>(
        a.attack_technique_ids().begin(), a.attack_technique_ids().end());
    doc["threat"]["tactic"]["name"] =
        std::vector<std::string>(a.attack_tactic_ids().begin(), a.attack_tactic_ids().end());
  }
  doc["host"] = {{"name", a.host().name()}, {"id", a.host().id()}};
  if (!a.host().exchange_build().empty()) doc["host"]["exchange_build"] = a.host().exchange_build();
  std::set<std::string> ips, users;
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : a.events()) {
    AddRelated(e, ips, users);
    events.push_back(EventJson(e));
  }
  if (!ips.empty()) doc["related"]["ip"] = ips;
  if (!users.empty()) doc["related"]["user"] = users;
  doc["tripline"] = {{"alert_id", a.alert_id()},
                     {"severity", SeverityName(a.severity())},
                     {"group_key", a.group_key()},
                     {"tags", std::vector<std::string>(a.rule().tags().begin(), a.rule().tags().end())},
                     {"event_ids", std::vector<std::string>(a.event_ids().begin(), a.event_ids().end())},
                     {"events", events}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tripline::correlator
