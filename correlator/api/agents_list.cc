#include "correlator/api/agents_list.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "correlator/api/client_support.h"
#include "tripline/v1/services.grpc.pb.h"

namespace tripline::correlator {
namespace {

std::string Ago(int64_t seen_us, int64_t now_us) {
  if (seen_us <= 0) return "never";
  int64_t s = std::max<int64_t>(0, (now_us - seen_us) / 1'000'000);
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  if (s < 172800) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

std::string Bytes(uint64_t n) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

nlohmann::json ToJson(const v1::AgentStatus& a, int64_t now_us) {
  int64_t seen = MicrosFromTimestamp(a.last_seen());
  return {{"agent_id", a.agent_id()},
          {"host_name", a.host_name()},
          {"version", a.version()},
          {"exchange_build", a.exchange_build()},
          {"last_seen", a.has_last_seen() ? Rfc3339(a.last_seen()) : ""},
          {"last_seen_age_seconds", seen > 0 ? (now_us - seen) / 1e6 : -1.0},
          {"source_lag_bytes", a.source_lag_bytes()},
          {"spool_bytes", a.spool_bytes()},
          {"health", a.health()}};
}

}  // namespace

void PrintAgentsTable(const std::vector<v1::AgentStatus>& agents, int64_t now_us, bool color,
                      std::ostream& out) {
  const std::vector<std::string> header = {"AGENT", "HOST",  "VERSION", "EXCHANGE BUILD",
                                           "LAST SEEN", "LAG", "SPOOL", "HEALTH"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : agents) {
    rows.push_back({a.agent_id(), a.host_name(), a.version(),
                    a.exchange_build().empty() ? "-" : a.exchange_build(),
                    Ago(MicrosFromTimestamp(a.last_seen()), now_us), Bytes(a.source_lag_bytes()),
                    Bytes(a.spool_bytes()), a.health()});
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    width[i] = header[i].size();
    for (const auto& r : rows) width[i] = std::max(width[i], r[i].size());
  }
  auto print = [&](const std::vector<std::string>& r, const char* health_color) {
    for (size_t i = 0; i < r.size(); ++i) {
      bool last = i + 1 == r.size();
      if (last && health_color) out << health_color;
      out << r[i];
      if (last && health_color) out << "\033[0m";
      if (!last) out << std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << "\n";
  };
  print(header, nullptr);
  for (const auto& r : rows) {
    const char* c = nullptr;
    if (color && r.back() == "silent") c = "\033[1;31m";
    if (color && r.back() == "degraded") c = "\033[33m";
    print(r, c);
  }
}

int RunAgentsList(const AgentsListOptions& options, std::ostream& out, std::ostream& err) {
  int code = 0;
  auto channel = ConnectApi(options.api, "tripline agents list", err, &code);
  if (!channel) return code;
  auto stub = v1::FleetService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  AddApiAuth(options.api, &ctx);
  v1::ListAgentsResponse resp;
  grpc::Status st = stub->ListAgents(&ctx, v1::ListAgentsRequest(), &resp);
  if (!st.ok()) {
    err << "tripline agents list: " << DescribeRpcError(st) << "\n";
    return 1;
  }
  const int64_t now = MicrosFromTimestamp(NowTimestamp());
  std::vector<v1::AgentStatus> agents(resp.agents().begin(), resp.agents().end());
  if (options.json) {
    nlohmann::json doc = {{"agents", nlohmann::json::array()}};
    for (const auto& a : agents) doc["agents"].push_back(ToJson(a, now));
    out << doc.dump() << "\n";
  } else if (agents.empty()) {
    out << "no agent has registered with this correlator\n";
  } else {
    PrintAgentsTable(agents, now, options.color, out);
  }
  return 0;
}

}  // namespace tripline::correlator
