// Sigma engine throughput, events per second on one core, over real Windows events (every record
// of the 96 SigmaHQ regression EVTX captures, read through the agent's EVTX path) mixed with IIS
// requests (bench_events.h). Two rule sets: the shipped demo pack, and every SigmaHQ Windows
// rule that compiles.
// Besides events/s, each case reports the alerts and matched events of one pass over the mix.
// Prints figures only. Run: build/tests/bench/engine_bench
#include <benchmark/benchmark.h>

#include "correlator/engine/engine.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"
#include "tests/bench/bench_events.h"

namespace tripline::correlator::engine {
namespace {

const std::vector<v1::Event>& Events() {
  static const std::vector<v1::Event> kEvents =
      bench::LoadBenchEvents(TRIPLINE_SHARED_DIR "/data/sigma-regression");
  return kEvents;
}

// One pass over the mix with an engine of its own: what the rule set finds in the mix, for
// comparison with other engines over the same events (rsigma_compare.sh).
EngineCounters OnePass(const std::shared_ptr<const RuleSet>& rules,
                       const std::vector<v1::Event>& events) {
  Engine engine(rules);
  std::vector<v1::Alert> alerts;
  for (const auto& event : events) {
    engine.Process(event, &alerts);
    alerts.clear();
  }
  return engine.counters();
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
  state.counters["load_errors"] = static_cast<double>(loaded.errors.size());
  EngineCounters pass = OnePass(loaded.rules, events);
  state.counters["alerts_per_pass"] = static_cast<double>(pass.alerts);
  state.counters["matched_events_per_pass"] = static_cast<double>(pass.matched_events);
  const Prefilter& prefilter = loaded.rules->prefilter();
  state.counters["prefiltered_rules"] = static_cast<double>(prefilter.filtered_rules());
  state.counters["prefilter_literals"] = static_cast<double>(prefilter.literals());
  state.counters["prefilter_fields"] = static_cast<double>(prefilter.fields());
  state.counters["prefilter_MB"] = static_cast<double>(prefilter.memory_bytes()) / 1e6;
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
