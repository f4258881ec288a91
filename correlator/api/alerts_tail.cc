#include "correlator/api/alerts_tail.h"

#include <grpcpp/grpcpp.h>

#include <cctype>
#include <chrono>
#include <thread>

#include "common/time_util.h"
#include "correlator/api/client_support.h"
#include "correlator/sinks/ecs/alert_ecs.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline::correlator {
namespace {

bool ParseSeverity(const std::string& name, v1::Severity* out) {
  static const std::pair<const char*, v1::Severity> kNames[] = {
      {"", v1::SEVERITY_UNSPECIFIED},       {"informational", v1::SEVERITY_INFORMATIONAL},
      {"low", v1::SEVERITY_LOW},            {"medium", v1::SEVERITY_MEDIUM},
      {"high", v1::SEVERITY_HIGH},          {"critical", v1::SEVERITY_CRITICAL}};
  for (const auto& [n, s] : kNames) {
    if (name == n) {
      *out = s;
      return true;
    }
  }
  return false;
}

void PrintLine(const v1::Alert& a, bool color, std::ostream& out) {
  std::string when = Rfc3339(a.window_end().seconds() ? a.window_end() : a.created_time());
  std::string sev = SeverityUpper(a.severity());
  out << when << " ";
  if (color) out << SeverityColor(a.severity());
  out << sev;
  if (color) out << "\033[0m";
  out << " " << a.message();
  if (a.attack_technique_ids_size() > 0) {
    out << " [";
    for (int i = 0; i < a.attack_technique_ids_size(); ++i) {
      out << (i ? "," : "") << a.attack_technique_ids(i);
    }
    out << "]";
  }
  out << " rule=" << a.rule().id() << " alert=" << a.alert_id() << "\n";
}

}  // namespace

int RunAlertsTail(const AlertsTailOptions& options, std::ostream& out, std::ostream& err,
                  const std::atomic<bool>& stop) {
  v1::StreamAlertsRequest req;
  v1::Severity min = v1::SEVERITY_UNSPECIFIED;
  if (!ParseSeverity(options.min_severity, &min)) {
    err << "tripline alerts tail: --min-severity must be informational, low, medium, high or "
           "critical\n";
    return 2;
  }
  req.set_min_severity(min);
  req.set_include_recent(options.recent);
  int code = 0;
  auto channel = ConnectApi(options.api, "tripline alerts tail", err, &code);
  if (!channel) return code;
  auto stub = v1::AlertService::NewStub(channel);
  grpc::ClientContext ctx;
  AddApiAuth(options.api, &ctx);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {  // turns a stop request into a cancelled call
    while (!finished && !stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ctx.TryCancel();
  });
  auto reader = stub->StreamAlerts(&ctx, req);
  v1::Alert alert;
  int shown = 0;
  while (reader->Read(&alert)) {
    if (options.json) {
      out << AlertToEcsJson(alert) << "\n";
    } else {
      PrintLine(alert, options.color, out);
    }
    out.flush();
    if (options.limit > 0 && ++shown >= options.limit) break;
  }
  finished = true;
  ctx.TryCancel();
  grpc::Status st = reader->Finish();
  watcher.join();
  if (!st.ok() && st.error_code() != grpc::StatusCode::CANCELLED) {
    err << "tripline alerts tail: " << DescribeRpcError(st) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tripline::correlator
