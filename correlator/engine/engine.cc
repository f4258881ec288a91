#include "correlator/engine/engine.h"

#include "absl/strings/str_cat.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

// The one thing an analyst wants to see first for each kind of event.
std::string EventSummary(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kHttp: {
      const v1::HttpRequest& h = e.http();
      std::string out = Cat(h.method(), h.method().empty() ? "" : " ", h.url_path());
      if (!h.url_query().empty()) absl::StrAppend(&out, "?", h.url_query());
      if (h.status_code() != 0) absl::StrAppend(&out, " -> ", h.status_code());
      if (!h.source_ip().empty()) absl::StrAppend(&out, " from ", h.source_ip());
      return out;
    }
    case v1::Event::kProcess:
      return e.process().process().command_line().empty() ? e.process().process().executable()
                                                          : e.process().process().command_line();
    case v1::Event::kFile: return e.file().path();
    case v1::Event::kService:
      return Cat("service ", e.service().name(), " ", e.service().executable());
    case v1::Event::kNetwork:
      return Cat(e.network().process().executable(), " -> ",
                          e.network().destination_ip(), ":", e.network().destination_port());
    case v1::Event::kCmdlet:
      return e.cmdlet().command_line().empty() ? e.cmdlet().name() : e.cmdlet().command_line();
    case v1::Event::kWindows:
      return Cat(e.windows().channel(), " ", e.windows().event_code());
    case v1::Event::kApp: return e.app().message();
    default: return e.original();
  }
}

}  // namespace

std::string AlertMessage(const std::string& title, const v1::Event& event) {
  return Cat(title, " on ", event.host().name(), ": ", EventSummary(event));
}

Engine::Engine(std::shared_ptr<const RuleSet> rules, Clock now)
    : rules_(std::move(rules)), now_(now != nullptr ? now : &NowTimestamp) {}

void Engine::Process(const v1::Event& event, std::vector<v1::Alert>* out) {
  ++counters_.events;
  const EventLogsource logsource = DeriveLogsource(event);
  bool matched = false;
  rules_->ForEachCandidate(logsource, [&](const SigmaRule& rule) {
    if (!rule.Matches(event, &scratch_)) return;
    matched = true;
    AppendAlert(rule, event, out);
  });
  if (matched) ++counters_.matched_events;
}

void Engine::AppendAlert(const SigmaRule& rule, const v1::Event& event,
                         std::vector<v1::Alert>* out) {
  const RuleMetadata& m = rule.metadata();
  const std::string& group_key = event.host().id().empty() ? event.host().name()
                                                           : event.host().id();
  v1::Alert& alert = out->emplace_back();
  alert.set_alert_id(StableId({m.id, group_key, event.event_id()}));
  v1::RuleRef* ref = alert.mutable_rule();
  ref->set_id(m.id);
  ref->set_title(m.title);
  ref->set_kind("sigma");
  ref->set_ruleset(m.file);
  ref->set_description(m.description);
  for (const std::string& r : m.references) ref->add_references(r);
  for (const std::string& t : m.tags) ref->add_tags(t);
  alert.set_severity(m.severity);
  for (const std::string& t : m.technique_ids) alert.add_attack_technique_ids(t);
  for (const std::string& t : m.tactic_ids) alert.add_attack_tactic_ids(t);
  *alert.mutable_host() = event.host();
  alert.set_group_key(group_key);
  *alert.mutable_window_start() = event.event_time();
  *alert.mutable_window_end() = event.event_time();
  *alert.mutable_created_time() = now_();
  alert.add_event_ids(event.event_id());
  *alert.add_events() = event;
  alert.set_message(AlertMessage(m.title, event));
  ++counters_.alerts;
}

}  // namespace tripline::correlator::engine
