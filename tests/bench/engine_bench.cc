// Sigma engine throughput, events per second on one core, over real Windows events (every record
// of the 96 SigmaHQ regression EVTX captures, read through the agent's EVTX path) mixed with IIS
// requests. Two rule sets: the shipped demo pack, and every SigmaHQ Windows rule that compiles.
// Prints figures only. Run: build/tests/bench/engine_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "agent/sources/evtx/evtx_source.h"
#include "correlator/engine/engine.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"

namespace tripline::correlator::engine {
namespace {

std::vector<v1::Event> LoadEvents() {
  std::vector<v1::Event> events;
  v1::Host host;
  host.set_name("exch01");
  namespace fs = std::filesystem;
  for (const auto& entry :
       fs::recursive_directory_iterator(TRIPLINE_SHARED_DIR "/data/sigma-regression")) {
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
  // As many IIS requests as Windows events: an Exchange host writes both.
  size_t windows_events = events.size();
  for (size_t i = 0; i < windows_events; ++i) {
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
    events.push_back(e);
  }
  return events;
}

const std::vector<v1::Event>& Events() {
  static const std::vector<v1::Event> kEvents = LoadEvents();
  return kEvents;
}

void Run(benchmark::State& state, const std::vector<std::string>& paths) {
  std::vector<std::string> errors;
  static const FieldMap field_map =
      FieldMap::LoadFile(TRIPLINE_SOURCE_DIR "/config/field_map.yaml", &errors);
  RuleLoader loader(&field_map);
  LoadResult loaded = loader.LoadPaths(paths);
  Engine engine(loaded.rules);
  const auto& events = Events();
  std::vector<v1::Alert> alerts;
  size_t i = 0;
  for (auto _ : state) {
    engine.Process(events[i++ % events.size()], &alerts);
    if (alerts.size() > 4096) alerts.clear();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = static_cast<double>(loaded.rules->size());
  state.counters["events_in_mix"] = static_cast<double>(events.size());
}

void BM_DemoRules(benchmark::State& state) { Run(state, {TRIPLINE_SOURCE_DIR "/config/rules"}); }
BENCHMARK(BM_DemoRules);

void BM_SigmaHqWindowsRules(benchmark::State& state) {
  Run(state, {TRIPLINE_SHARED_DIR "/data/sigma/rules/windows"});
}
BENCHMARK(BM_SigmaHqWindowsRules);

}  // namespace
}  // namespace tripline::correlator::engine

BENCHMARK_MAIN();
