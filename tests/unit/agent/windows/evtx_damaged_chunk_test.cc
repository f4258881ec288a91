// Hostile input: EVTX files with a damaged chunk. Each damaged chunk is one counted read error
// with a message naming it; the chunks after it, and the next file, are still read.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "agent/sources/evtx/evtx_chunks.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/windows/evtx_test_support.h"

namespace tripline::agent {
namespace {

using namespace evtx_test;  // NOLINT: test helpers

constexpr size_t kChunk0 = 4096;

std::set<uint64_t> Positions(const std::vector<v1::Event>& events) {
  std::set<uint64_t> out;
  for (const auto& e : events) out.insert(e.source().position());
  return out;
}

bool HasAll(const std::set<uint64_t>& have, uint64_t first, uint64_t last) {
  for (uint64_t p = first; p <= last; ++p) {
    if (have.count(p) == 0) return false;
  }
  return true;
}

struct Damage {
  const char* name;
  void (*apply)(std::string& log);
  const char* reason;
};

const Damage kDamages[] = {
    {"signature", [](std::string& log) { log.replace(kChunk0, 8, "XXXXXXXX"); }, "bad signature"},
    {"zeroed", [](std::string& log) { std::fill_n(log.begin() + kChunk0, 65536, '\0'); },
     "bad signature"},
    {"header_checksum", [](std::string& log) { log[kChunk0 + 124] ^= 0x5A; },
     "header checksum mismatch"},
    {"records", [](std::string& log) { std::fill_n(log.begin() + kChunk0 + 600, 400, 'A'); },
     "event records checksum mismatch"},
};

class EvtxDamagedChunkTest : public ::testing::TestWithParam<Damage> {};

TEST_P(EvtxDamagedChunkTest, IsCountedOnceAndTheOtherChunkAndFileAreStillRead) {
  if (!std::filesystem::exists(kWebshell)) GTEST_SKIP() << "no samples beside the checkout";
  testing::TempDir dir;
  std::string log = TwoChunkLog();
  GetParam().apply(log);
  WriteBytes(dir.File("a-damaged.evtx"), log);
  WriteBytes(dir.File("b-good.evtx"), ReadBytes(kPowercat));

  std::vector<EvtxChunkDamage> damage = FindDamagedChunks(dir.File("a-damaged.evtx"));
  ASSERT_EQ(damage.size(), 1u);
  EXPECT_EQ(damage[0].index, 0u);
  EXPECT_EQ(damage[0].reason, GetParam().reason);
  EXPECT_TRUE(FindDamagedChunks(dir.File("b-good.evtx")).empty());

  EvtxSource source(Config(dir.path()), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  ReadResult run;
  Drain(source, run);
  std::vector<v1::Event> damaged_file, good_file;
  for (const auto& e : run.events) {
    (e.source().path() == dir.File("b-good.evtx") ? good_file : damaged_file).push_back(e);
  }
  EXPECT_TRUE(HasAll(Positions(damaged_file), 5, 13)) << "the undamaged second chunk";
  EXPECT_EQ(good_file.size(), 9u) << "the next file";
  // One error for the chunk; libevtx may add errors for records it cannot render.
  EXPECT_GE(run.counters.read_errors, 1u);
  EXPECT_LE(run.counters.read_errors, 1u + 4u);

  // Indexed again (the file changed): the same damage is not counted twice.
  uint64_t before = source.counters().read_errors;
  WriteBytes(dir.File("a-damaged.evtx"), log + std::string(10, '\0'));
  Drain(source, run);
  EXPECT_EQ(source.counters().read_errors, before);
}

INSTANTIATE_TEST_SUITE_P(Damages, EvtxDamagedChunkTest, ::testing::ValuesIn(kDamages),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tripline::agent
