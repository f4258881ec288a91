#include "correlator/api/alerts_show.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "common/time_util.h"
#include "correlator/api/client_support.h"
#include "correlator/sinks/ecs/alert_ecs.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline::correlator {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Adds `value` under `name` when it says something.
void Add(Fields& f, const char* name, const std::string& value) {
  if (!value.empty()) f.emplace_back(name, value);
}
void AddNumber(Fields& f, const char* name, uint64_t value) {
  if (value != 0) f.emplace_back(name, std::to_string(value));
}

void AddProcess(Fields& f, const char* prefix, const v1::ProcessRef& p) {
  std::string p_ = prefix;
  Add(f, (p_ + "executable").c_str(), p.executable().empty() ? p.name() : p.executable());
  Add(f, (p_ + "command_line").c_str(), p.command_line());
  if (p.pid() != 0) f.emplace_back(p_ + "pid", std::to_string(p.pid()));
}

std::string FileAction(v1::FileChange::Action a) {
  switch (a) {
    case v1::FileChange::ACTION_CREATED: return "created";
    case v1::FileChange::ACTION_MODIFIED: return "modified";
    case v1::FileChange::ACTION_DELETED: return "deleted";
    case v1::FileChange::ACTION_RENAMED: return "renamed";
    default: return "";
  }
}

// The kind of an event and the fields that matter for it, ECS-named.
std::pair<std::string, Fields> Describe(const v1::Event& e) {
  Fields f;
  switch (e.body_case()) {
    case v1::Event::kHttp: {
      const auto& h = e.http();
      std::string url = h.url_path() + (h.url_query().empty() ? "" : "?" + h.url_query());
      Add(f, "http.request.method", h.method());
      Add(f, "url", url);
      if (h.status_code() != 0) f.emplace_back("http.response.status_code", std::to_string(h.status_code()));
      Add(f, "source.ip", h.source_ip());
      Add(f, "user.name", h.user_name());
      Add(f, "user_agent.original", h.user_agent());
      return {"http request", f};
    }
    case v1::Event::kProcess: {
      const auto& p = e.process();
      AddProcess(f, "process.", p.process());
      AddProcess(f, "process.parent.", p.parent());
      Add(f, "user.name", p.user_name());
      Add(f, "process.hash.sha256", p.hash_sha256());
      return {"process start", f};
    }
    case v1::Event::kFile: {
      const auto& x = e.file();
      Add(f, "event.action", FileAction(x.action()));
      Add(f, "file.path", x.path());
      Add(f, "file.old_path", x.old_path());
      Add(f, "file.hash.sha256", x.hash_sha256());
      AddNumber(f, "file.size", x.size());
      AddProcess(f, "process.", x.process());
      for (const auto& m : x.webshell_markers()) Add(f, "webshell marker", m);
      return {"file change", f};
    }
    case v1::Event::kService: {
      const auto& s = e.service();
      Add(f, "service.name", s.name());
      Add(f, "service.executable", s.executable());
      Add(f, "service.start_type", s.start_type());
      Add(f, "user.name", s.account());
      return {"service change", f};
    }
    case v1::Event::kNetwork: {
      const auto& n = e.network();
      Add(f, "network.direction", n.direction());
      Add(f, "source", n.source_ip() + ":" + std::to_string(n.source_port()));
      Add(f, "destination", n.destination_ip() + ":" + std::to_string(n.destination_port()));
      Add(f, "destination.domain", n.destination_domain());
      AddProcess(f, "process.", n.process());
      return {"network connection", f};
    }
    case v1::Event::kCmdlet: {
      const auto& c = e.cmdlet();
      Add(f, "cmdlet", c.name());
      std::vector<std::pair<std::string, std::string>> params(c.parameters().begin(),
                                                              c.parameters().end());
      std::sort(params.begin(), params.end());
      for (const auto& [k, v] : params) f.emplace_back("  -" + k, v);
      Add(f, "command_line", c.command_line());
      Add(f, "user.name", c.user_name());
      Add(f, "origin", c.origin());
      if (!c.succeeded() && !c.error().empty()) Add(f, "error", c.error());
      return {"Exchange cmdlet", f};
    }
    case v1::Event::kWindows: {
      const auto& w = e.windows();
      Add(f, "provider", w.provider());
      Add(f, "channel", w.channel());
      AddNumber(f, "event.code", w.event_code());
      std::vector<std::pair<std::string, std::string>> data(w.data().begin(), w.data().end());
      std::sort(data.begin(), data.end());
      for (const auto& [k, v] : data) f.emplace_back("  " + k, v);
      return {"Windows event", f};
    }
    case v1::Event::kApp:
      Add(f, "message", e.app().message());
      return {"log line", f};
    default:
      Add(f, "original", e.original());
      return {"event", f};
  }
}

const google::protobuf::Timestamp& When(const v1::Event& e) {
  return e.has_event_time() ? e.event_time() : e.observed_time();
}

}  // namespace

void PrintAlertDetail(const v1::Alert& a, bool color, std::ostream& out) {
  const char* bold = color ? "\033[1m" : "";
  const char* dim = color ? "\033[2m" : "";
  const char* cyan = color ? "\033[36m" : "";
  const char* reset = color ? "\033[0m" : "";
  out << bold << "Alert " << a.alert_id() << reset << "\n";
  auto line = [&](const char* name, const std::string& value) {
    if (!value.empty()) out << "  " << dim << name << reset << std::string(12 - std::strlen(name), ' ') << value << "\n";
  };
  out << "  " << dim << "severity" << reset << "    " << (color ? SeverityColor(a.severity()) : "")
      << SeverityUpper(a.severity()) << reset << "\n";
  line("rule", a.rule().title() + " (" + a.rule().id() + (a.rule().kind().empty() ? "" : ", " + a.rule().kind()) + ")");
  std::string attack;
  for (const auto& t : a.attack_technique_ids()) attack += (attack.empty() ? "" : ", ") + t;
  for (const auto& t : a.attack_tactic_ids()) attack += (attack.empty() ? "" : ", ") + t;
  line("attack", attack);
  std::string host = a.host().name().empty() ? a.host().id() : a.host().name();
  if (!a.host().exchange_build().empty()) host += " (Exchange " + a.host().exchange_build() + ")";
  line("host", host);
  line("group key", a.group_key());
  if (a.has_window_start()) {
    line("window", Rfc3339(a.window_start()) + " .. " + Rfc3339(a.window_end()));
  }
  if (a.has_created_time()) line("raised", Rfc3339(a.created_time()));
  line("message", a.message());

  std::vector<const v1::Event*> events;
  for (const auto& e : a.events()) events.push_back(&e);
  std::stable_sort(events.begin(), events.end(), [](const v1::Event* x, const v1::Event* y) {
    return MicrosFromTimestamp(When(*x)) < MicrosFromTimestamp(When(*y));
  });
  out << "\n" << bold << "Evidence" << reset << " (" << events.size() << " event"
      << (events.size() == 1 ? "" : "s") << ", in time order)\n";
  if (events.empty()) out << "  none carried by this alert\n";
  int n = 0;
  for (const v1::Event* e : events) {
    auto [kind, fields] = Describe(*e);
    std::string h = e->host().name().empty() ? e->host().id() : e->host().name();
    out << "  " << bold << "[" << ++n << "]" << reset << " " << Rfc3339(When(*e)) << "  " << h
        << "  " << cyan << kind << reset << "\n";
    size_t w = 0;
    for (const auto& [k, v] : fields) w = std::max(w, k.size());
    for (const auto& [k, v] : fields) {
      out << "      " << dim << k << reset << std::string(w - k.size() + 2, ' ') << v << "\n";
    }
    out << "      " << dim << "event.id" << reset << std::string(w > 8 ? w - 8 + 2 : 2, ' ')
        << e->event_id() << "\n";
  }
  if (a.event_ids_size() > static_cast<int>(events.size())) {
    out << "  ... and " << a.event_ids_size() - static_cast<int>(events.size())
        << " more contributing event id(s) not carried in full\n";
  }
}

int RunAlertsShow(const AlertsShowOptions& options, std::ostream& out, std::ostream& err) {
  int code = 0;
  auto channel = ConnectApi(options.api, "tripline alerts show", err, &code);
  if (!channel) return code;
  auto stub = v1::AlertService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  AddApiAuth(options.api, &ctx);
  v1::GetAlertRequest req;
  req.set_alert_id(options.alert_id);
  v1::Alert alert;
  grpc::Status st = stub->GetAlert(&ctx, req, &alert);
  if (!st.ok()) {
    err << "tripline alerts show: " << DescribeRpcError(st) << "\n";
    return 1;
  }
  if (options.json) {
    out << AlertToEcsJson(alert) << "\n";
  } else {
    PrintAlertDetail(alert, options.color, out);
  }
  return 0;
}

}  // namespace tripline::correlator
