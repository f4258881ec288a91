#include "correlator/sinks/syslog/alert_fields.h"

namespace tripline::correlator {
namespace {

// Sets `field` to `value` unless an earlier event already set it.
void Take(std::string& field, const std::string& value) {
  if (field.empty() && !value.empty()) field = value;
}

void TakeNumber(std::string& field, uint64_t value) {
  if (field.empty() && value != 0) field = std::to_string(value);
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ',';
    out += v;
  }
  return out;
}

const char* FileActionName(v1::FileChange::Action a) {
  switch (a) {
    case v1::FileChange::ACTION_CREATED: return "created";
    case v1::FileChange::ACTION_MODIFIED: return "modified";
    case v1::FileChange::ACTION_DELETED: return "deleted";
    case v1::FileChange::ACTION_RENAMED: return "renamed";
    default: return "";
  }
}

const char* ServiceActionName(v1::ServiceChange::Action a) {
  switch (a) {
    case v1::ServiceChange::ACTION_INSTALLED: return "installed";
    case v1::ServiceChange::ACTION_CHANGED: return "changed";
    case v1::ServiceChange::ACTION_STARTED: return "started";
    case v1::ServiceChange::ACTION_STOPPED: return "stopped";
    case v1::ServiceChange::ACTION_REMOVED: return "removed";
    default: return "";
  }
}

void FromHttp(const v1::HttpRequest& h, AlertFields& f) {
  Take(f.src_ip, h.source_ip());
  Take(f.dst_ip, h.destination_ip());
  TakeNumber(f.src_port, h.source_port());
  TakeNumber(f.dst_port, h.destination_port());
  Take(f.src_user, h.user_name());
  Take(f.request_method, h.method());
  Take(f.user_agent, h.user_agent());
  if (!h.url_path().empty()) {
    Take(f.request, h.url_query().empty() ? h.url_path() : h.url_path() + "?" + h.url_query());
  }
}

void FromProcess(const v1::ProcessStart& p, AlertFields& f) {
  Take(f.dst_process, p.process().name());
  TakeNumber(f.dst_pid, static_cast<uint64_t>(p.process().pid()));
  Take(f.src_process, p.parent().name());
  TakeNumber(f.src_pid, static_cast<uint64_t>(p.parent().pid()));
  Take(f.src_user, p.user_name());
  Take(f.file_hash, p.hash_sha256());
}

void FromFile(const v1::FileChange& c, AlertFields& f) {
  Take(f.file_name, c.name());
  Take(f.file_path, c.path());
  Take(f.file_hash, c.hash_sha256());
  Take(f.src_process, c.process().name());
  TakeNumber(f.src_pid, static_cast<uint64_t>(c.process().pid()));
  Take(f.src_user, c.user_name());
  Take(f.action, FileActionName(c.action()));
}

void FromNetwork(const v1::NetworkConnection& n, AlertFields& f) {
  Take(f.src_ip, n.source_ip());
  Take(f.dst_ip, n.destination_ip());
  TakeNumber(f.src_port, n.source_port());
  TakeNumber(f.dst_port, n.destination_port());
  Take(f.transport, n.transport());
  Take(f.src_host, n.source_domain());
  Take(f.src_process, n.process().name());
  TakeNumber(f.src_pid, static_cast<uint64_t>(n.process().pid()));
  Take(f.src_user, n.user_name());
}

void FromEvent(const v1::Event& e, AlertFields& f) {
  switch (e.body_case()) {
    case v1::Event::kHttp: FromHttp(e.http(), f); break;
    case v1::Event::kProcess: FromProcess(e.process(), f); break;
    case v1::Event::kFile: FromFile(e.file(), f); break;
    case v1::Event::kNetwork: FromNetwork(e.network(), f); break;
    case v1::Event::kService:
      Take(f.file_path, e.service().executable());
      Take(f.dst_user, e.service().account());
      Take(f.action, ServiceActionName(e.service().action()));
      break;
    case v1::Event::kCmdlet:
      Take(f.src_user, e.cmdlet().user_name());
      Take(f.action, e.cmdlet().name());
      break;
    case v1::Event::kWindows: Take(f.src_user, e.windows().data().count("SubjectUserName")
                                                   ? e.windows().data().at("SubjectUserName")
                                                   : std::string());
      break;
    default: break;
  }
  for (const auto& ip : e.host().ips()) Take(f.dst_ip, ip);
}

}  // namespace

AlertFields CollectAlertFields(const v1::Alert& a) {
  AlertFields f;
  Take(f.dst_host, a.host().name());
  Take(f.dst_host, a.host().id());
  for (const auto& e : a.events()) FromEvent(e, f);
  for (const auto& ip : a.host().ips()) Take(f.dst_ip, ip);
  f.techniques = Join(a.attack_technique_ids());
  f.tactics = Join(a.attack_tactic_ids());
  return f;
}

}  // namespace tripline::correlator

namespace tripline::correlator {

std::string_view Utf8Prefix(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  // Back up over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace tripline::correlator
