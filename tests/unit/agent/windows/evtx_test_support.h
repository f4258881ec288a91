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
inline const std::string kWebshell =
    kSamples + "evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx";
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

inline uint64_t Get(const std::string& bytes, size_t offset, int size) {
  uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(bytes[offset + i]);
  return value;
}

inline void Put(std::string& bytes, size_t offset, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) bytes[offset + i] = static_cast<char>(value >> (8 * i));
}

// Renumbers the records of an EVTX chunk from `first` and fixes its checksums, as the chunk would
// be had Windows written it after the records of another chunk.
inline void RenumberChunk(std::string& chunk, uint64_t first) {
  uint64_t free_space = Get(chunk, 48, 4);
  uint64_t id = first;
  for (size_t offset = 512; offset + 24 <= free_space && Get(chunk, offset, 4) == 0x2a2a;
       offset += Get(chunk, offset + 4, 4)) {
    Put(chunk, offset + 8, id++, 8);
  }
  Put(chunk, 8, first, 8);   // first record number
  Put(chunk, 16, id - 1, 8); // last record number
  Put(chunk, 24, first, 8);  // first record identifier
  Put(chunk, 32, id - 1, 8); // last record identifier
  Put(chunk, 52, Crc32(std::string_view(chunk).substr(512, free_space - 512)), 4);
  Put(chunk, 124, Crc32(chunk.substr(0, 120) + chunk.substr(128, 384)), 4);
}

// A two-chunk log: the webshell sample's header and chunk (records 1-4, EventRecordID 1044-1047),
// then the powercat sample's chunk renumbered 5-13 (EventRecordID 8112-8120), with the file
// header's last chunk, next record id, chunk count and checksum set as Windows would.
inline std::string TwoChunkLog() {
  std::string a = ReadBytes(kWebshell);
  std::string header = a.substr(0, 4096);
  std::string second = ReadBytes(kPowercat).substr(4096, 65536);
  RenumberChunk(second, 5);
  Put(header, 16, 1, 8);   // last chunk number
  Put(header, 24, 14, 8);  // next record identifier
  Put(header, 42, 2, 2);   // number of chunks
  Put(header, 124, Crc32(std::string_view(header).substr(0, 120)), 4);
  return header + a.substr(4096, 65536) + second;
}

}  // namespace tripline::agent::evtx_test
