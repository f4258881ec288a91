#include "correlator/sinks/splunk_hec/hec_envelope.h"

#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "correlator/sinks/ecs/alert_ecs.h"

namespace tripline::correlator {
namespace {

using Json = nlohmann::ordered_json;

// CIM severity is one of critical/high/medium/low/informational: an unset severity is reported
// as informational rather than as a value the data model does not know.
const char* CimSeverity(v1::Severity s) {
  return s == v1::SEVERITY_UNSPECIFIED ? "informational" : SeverityName(s);
}

// Source addresses and user names of the contributing events, in first-seen order.
void CollectSrcAndUser(const v1::Alert& a, std::vector<std::string>& src,
                       std::vector<std::string>& user) {
  std::set<std::string> seen_src, seen_user;
  auto add = [](const std::string& v, std::set<std::string>& seen, std::vector<std::string>& out) {
    if (!v.empty() && seen.insert(v).second) out.push_back(v);
  };
  for (const v1::Event& e : a.events()) {
    switch (e.body_case()) {
      case v1::Event::kHttp:
        add(e.http().source_ip(), seen_src, src);
        add(e.http().user_name(), seen_user, user);
        break;
      case v1::Event::kNetwork:
        add(e.network().source_ip(), seen_src, src);
        add(e.network().user_name(), seen_user, user);
        break;
      case v1::Event::kProcess: add(e.process().user_name(), seen_user, user); break;
      case v1::Event::kFile: add(e.file().user_name(), seen_user, user); break;
      case v1::Event::kCmdlet: add(e.cmdlet().user_name(), seen_user, user); break;
      default: break;
    }
  }
}

// One value as a string, several as a multivalue field (a JSON array).
Json OneOrMany(const std::vector<std::string>& values) {
  if (values.size() == 1) return values[0];
  return values;
}

std::string AlertHost(const v1::Alert& a) {
  return a.host().name().empty() ? a.host().id() : a.host().name();
}

Json CimEvent(const v1::Alert& a) {
  Json ev;
  ev["app"] = "tripline";
  ev["vendor_product"] = "Tripline Correlator";
  ev["type"] = "alert";
  ev["id"] = a.alert_id();
  ev["signature"] = a.rule().title();
  ev["signature_id"] = a.rule().id();
  ev["severity"] = CimSeverity(a.severity());
  ev["severity_id"] = static_cast<int>(a.severity());
  ev["description"] = a.message().empty() ? a.rule().description() : a.message();
  ev["dest"] = AlertHost(a);
  std::vector<std::string> src, user;
  CollectSrcAndUser(a, src, user);
  if (!src.empty()) ev["src"] = OneOrMany(src);
  if (!user.empty()) ev["user"] = OneOrMany(user);
  if (a.attack_technique_ids_size() > 0) {
    ev["mitre_technique_id"] = std::vector<std::string>(a.attack_technique_ids().begin(),
                                                        a.attack_technique_ids().end());
  }
  return ev;
}

// Splunk's `time`: epoch seconds with milliseconds. The alert's time is its window end (the
// event time of its last contributing event, ECS @timestamp); the creation time if that is unset.
std::string EpochSeconds(const v1::Alert& a) {
  const google::protobuf::Timestamp& ts =
      a.has_window_end() && a.window_end().seconds() > 0 ? a.window_end() : a.created_time();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%" PRId64 ".%03d", static_cast<int64_t>(ts.seconds()),
                ts.nanos() / 1'000'000);
  return buf;
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string RenderHecEnvelope(const v1::Alert& alert, const std::string& ecs_json,
                              const HecMetadata& meta) {
  std::string out = "{\"time\":" + EpochSeconds(alert);
  out += ",\"host\":" + Dump(meta.host.empty() ? AlertHost(alert) : meta.host);
  if (!meta.source.empty()) out += ",\"source\":" + Dump(meta.source);
  out += ",\"sourcetype\":" + Dump(meta.sourcetype);
  if (!meta.index.empty()) out += ",\"index\":" + Dump(meta.index);
  // The ECS document is spliced in as rendered (one line, already valid JSON), not re-parsed.
  std::string event = Dump(CimEvent(alert));
  event.pop_back();  // the closing brace
  out += ",\"event\":" + event + ",\"ecs\":" + (ecs_json.empty() ? "{}" : ecs_json) + "}}";
  return out;
}

std::vector<size_t> SplitIntoBatches(const std::vector<size_t>& envelope_sizes, size_t max_bytes) {
  std::vector<size_t> runs;
  size_t count = 0, bytes = 0;
  for (size_t size : envelope_sizes) {
    size_t with = count == 0 ? size : bytes + 1 + size;  // '\n' between envelopes
    if (count > 0 && with > max_bytes) {
      runs.push_back(count);
      count = 0;
      with = size;
    }
    ++count;
    bytes = with;
  }
  if (count > 0) runs.push_back(count);
  return runs;
}

}  // namespace tripline::correlator
