// Parse + normalize + serialize throughput of the agent's file path, per core (one thread).
// Prints figures only; nothing here asserts a time. Run: build/tests/bench/agent_parse_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/parsers/exchange_csv/httpproxy_parser.h"
#include "agent/parsers/w3c/w3c_parser.h"
#include "agent/sources/file/file_source.h"

namespace tripline::agent {
namespace {

constexpr const char* kFields =
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

// Realistic Exchange front-end lines: OWA, EWS, ActiveSync, with the CorrelationID query noise.
std::string IisLine(int i) {
  static const char* kPaths[] = {"/owa/auth/logon.aspx", "/EWS/Exchange.asmx",
                                 "/Microsoft-Server-ActiveSync/default.eas", "/owa/service.svc",
                                 "/mapi/emsmdb/"};
  static const char* kAgents[] = {
      "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/"
      "88.0.4324.182+Safari/537.36",
      "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro)",
      "Apple-iPhone12C1/1805.54"};
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "2021-03-05 03:%02d:%02d 10.1.0.5 %s %s "
                "&CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-%012d;&encoding=; 443 "
                "CORP\\user%d 10.20.%d.%d %s - %d 0 0 %d",
                i / 60 % 60, i % 60, i % 7 == 0 ? "POST" : "GET", kPaths[i % 5], i, i % 500,
                i % 200, i % 250, kAgents[i % 3], i % 11 == 0 ? 302 : 200, i % 900);
  return buf;
}

void BM_W3cParse(benchmark::State& state) {
  std::vector<std::string> lines;
  for (int i = 0; i < 4096; ++i) lines.push_back(IisLine(i));
  W3cParser parser;
  v1::Event event;
  (void)parser.Parse(kFields, event);
  size_t i = 0;
  for (auto _ : state) {
    event.Clear();
    auto kind = parser.Parse(lines[i++ & 4095], event);
    benchmark::DoNotOptimize(kind);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_W3cParse);

// Exchange HttpProxy rows (74 columns, Exchange 2016 CU19 layout) from the parser test data.
void BM_HttpProxyParse(benchmark::State& state) {
  std::ifstream in(TRIPLINE_TESTDATA_DIR "/exchange/httpproxy_ecp_header_change.LOG");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l) && lines.size() < 9;) lines.push_back(l);
  HttpProxyParser parser;
  v1::Event event;
  std::vector<std::string> rows;
  for (const auto& l : lines) {
    if (parser.Parse(l, event).value_or(LineKind::kSkipped) == LineKind::kRecord) rows.push_back(l);
  }
  if (rows.empty()) {
    state.SkipWithError("no HttpProxy rows in the test data");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    event.Clear();
    auto kind = parser.Parse(rows[i++ % rows.size()], event);
    benchmark::DoNotOptimize(kind);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HttpProxyParse);

// The whole file path: read, split lines, parse, fill the envelope (event id, host, source,
// original), serialize to protobuf bytes as the spool stores them.
void BM_FileSourceToBytes(benchmark::State& state) {
  const int kLines = 200000;
  std::string dir = std::filesystem::temp_directory_path() / "tripline-bench-w3c";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/u_ex210305.log";
  {
    std::ofstream out(path, std::ios::trunc);
    out << "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
           "#Date: 2021-03-05 00:00:00\n"
        << kFields << "\n";
    for (int i = 0; i < kLines; ++i) out << IisLine(i) << "\n";
  }
  AgentIdentity identity;
  identity.agent_id = "EXCH01";
  identity.host.set_id("EXCH01");
  identity.host.set_name("exch01.corp.example");
  FileSourceConfig config;
  config.name = "iis";
  config.paths = {path};
  config.format = "w3c";
  config.keep_original = state.range(0) != 0;
  std::string bytes;
  uint64_t total = 0, serialized = 0;
  for (auto _ : state) {
    FileSource source(config, &identity);
    (void)source.Start("");
    uint64_t n = 0;
    while (n < kLines) {
      auto r = source.Poll(4 << 20, [&](const v1::Event& e) {
        bytes.clear();
        e.SerializeToString(&bytes);
        serialized += bytes.size();
        ++n;
        return absl::OkStatus();
      });
      if (!r.ok() || *r == 0) break;
    }
    total += n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["bytes_per_event"] = static_cast<double>(serialized) / static_cast<double>(total);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FileSourceToBytes)->Arg(1)->Arg(0)->ArgName("keep_original")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tripline::agent

BENCHMARK_MAIN();
