#include "tests/bench/bench_events.h"

#include <filesystem>

#include "agent/sources/evtx/evtx_source.h"

namespace tripline::bench {
namespace {

void AppendEvtxRecords(const std::string& regression_dir, std::vector<v1::Event>& events) {
  v1::Host host;
  host.set_name("exch01");
  namespace fs = std::filesystem;
  for (const auto& entry : fs::recursive_directory_iterator(regression_dir)) {
    if (entry.path().extension() != ".evtx") continue;
    agent::EvtxSourceConfig config;
    config.name = "bench";
    config.path = entry.path().string();
    agent::EvtxSource source(config, "bench", host);
    if (!source.Start("").ok()) continue;
    for (int i = 0; i < 100; ++i) {
      auto n = source.Poll(1 << 20, [&](const v1::Event& e) {
        events.push_back(e);
        return absl::OkStatus();
      });
      if (!n.ok() || *n == 0) break;
    }
  }
}

v1::Event IisRequest(size_t i) {
  v1::Event e;
  e.set_event_id("iis-" + std::to_string(i));
  e.mutable_source()->set_format("w3c");
  e.mutable_host()->set_name("exch01");
  auto* h = e.mutable_http();
  h->set_method(i % 7 == 0 ? "POST" : "GET");
  h->set_url_path(i % 3 == 0 ? "/owa/auth/logon.aspx" : "/EWS/Exchange.asmx");
  h->set_url_query("&CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9;");
  h->set_source_ip("10.20.0." + std::to_string(i % 250));
  h->set_user_agent("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801)");
  h->set_status_code(200);
  return e;
}

}  // namespace

std::vector<v1::Event> LoadBenchEvents(const std::string& regression_dir) {
  std::vector<v1::Event> events;
  AppendEvtxRecords(regression_dir, events);
  size_t windows_events = events.size();
  events.reserve(2 * windows_events);
  for (size_t i = 0; i < windows_events; ++i) events.push_back(IisRequest(i));
  return events;
}

}  // namespace tripline::bench
