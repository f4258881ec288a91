#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "agent/sources/evtx/evtx_source.h"

// Helpers shared by the EVTX source tests.
namespace tripline::agent::evtx_test {

inline const std::string kSamples = std::string(TRIPLINE_WINDOWS_SHARED_DIR) + "/data/samples/";
inline const std::string kWebshell = kSamples + "evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx";
inline const std::string kPowercat = kSamples + "evtxattack_powercat_revShell_sysmon_1_3.evtx";

struct ReadResult {
  std::vector<v1::Event> events;
  SourceCounters counters;
  uint64_t recovered_unreadable = 0;
};

inline EvtxSourceConfig Config(const std::string& path) {
  return {.name = "evtx-test", .path = path, .poll_interval = {}};
}

// Polls `source` until a poll brings nothing new.
inline void Drain(EvtxSource& source, ReadResult& run, size_t budget = 1 << 20) {
  EmitFn emit = [&run](const v1::Event& e) {
    run.events.push_back(e);
    return absl::OkStatus();
  };
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<size_t> n = source.Poll(budget, emit);
    ASSERT_TRUE(n.ok()) << n.status();
    if (*n == 0) break;
  }
  run.counters = source.counters();
  run.recovered_unreadable = source.recovered_unreadable();
}

inline ReadResult ReadAll(const std::string& path, const std::string& state = "") {
  EvtxSource source(Config(path), "agent-1", v1::Host());
  EXPECT_TRUE(source.Start(state).ok());
  ReadResult run;
  Drain(source, run);
  return run;
}

inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A two-chunk log: the webshell sample's header and chunk (records 1044-1047), then the powercat
// sample's chunk (8112-8120). The header's last chunk, next record id, chunk count and checksum
// are set as Windows would.
inline std::string TwoChunkLog() {
  std::string a = ReadBytes(kWebshell);
  std::string b = ReadBytes(kPowercat);
  std::string header = a.substr(0, 4096);
  auto put = [&header](size_t offset, uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) header[offset + i] = static_cast<char>(value >> (8 * i));
  };
  put(16, 1, 8);     // last chunk number
  put(24, 8121, 8);  // next record identifier
  put(42, 2, 2);     // number of chunks
  put(124, Crc32(std::string_view(header).substr(0, 120)), 4);
  return header + a.substr(4096, 65536) + b.substr(4096, 65536);
}

}  // namespace tripline::agent::evtx_test
