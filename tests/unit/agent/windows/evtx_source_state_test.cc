#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "agent/sources/evtx/evtx_source.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/agent/windows/evtx_test_support.h"

// Resume, growth, truncation, emit failures and folders. The logs are built from the
// EVTX-ATTACK-SAMPLES captures in ../shared/data/samples (see evtx_test_support.h).
namespace tripline::agent {
namespace {

using namespace evtx_test;  // NOLINT: test helpers

std::vector<uint64_t> Positions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.source().position());
  return out;
}

TEST(EvtxSourceStateTest, TruncatedSingleChunkGivesReadErrorsNotACrash) {
  testing::TempDir dir;
  std::string bytes = ReadBytes(kPowercat);
  std::string path = dir.File("cut.evtx");
  WriteBytes(path, bytes.substr(0, 4096 + 30000));  // cut in the middle of the only chunk
  ReadResult run = ReadAll(path);
  EXPECT_TRUE(run.events.empty());
  EXPECT_EQ(run.counters.read_errors, 1u);
  WriteBytes(path, bytes.substr(0, 1000));  // cut inside the file header
  run = ReadAll(path);
  EXPECT_TRUE(run.events.empty());
  EXPECT_GE(run.counters.read_errors, 1u);
}

TEST(EvtxSourceStateTest, CutInSecondChunkKeepsTheRecordsBeforeTheCut) {
  testing::TempDir dir;
  std::string path = dir.File("Security.evtx");
  WriteBytes(path, TwoChunkLog().substr(0, 4096 + 65536 + 30000));
  ReadResult run = ReadAll(path);
  EXPECT_EQ(Positions(run.events), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(run.events[3].labels().at("evtx.event_record_id"), "1047");
  EXPECT_EQ(run.counters.read_errors, 1u);
}

TEST(EvtxSourceStateTest, GrowingLogYieldsOnlyItsNewRecords) {
  testing::TempDir dir;
  std::string path = dir.File("Sysmon.evtx");
  std::string full = TwoChunkLog();
  WriteBytes(path, full.substr(0, 4096 + 65536));  // a copy taken while chunk 2 did not exist
  EvtxSource source(Config(path), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  ReadResult first;
  Drain(source, first);
  ASSERT_EQ(first.events.size(), 4u);
  WriteBytes(path, full);  // exported again, now with both chunks
  ReadResult second;
  Drain(source, second);
  EXPECT_EQ(Positions(second.events),
            (std::vector<uint64_t>{5, 6, 7, 8, 9, 10, 11, 12, 13}));
  EXPECT_EQ(second.events[0].labels().at("evtx.event_record_id"), "8112");
  // Same log, same fingerprint: a record keeps its event id whichever copy it came from.
  EXPECT_EQ(second.events[0].source().file_id(), first.events[0].source().file_id());
  std::set<std::string> ids;
  for (const auto& e : first.events) ids.insert(e.event_id());
  for (const auto& e : second.events) ids.insert(e.event_id());
  EXPECT_EQ(ids.size(), 13u);
  ReadResult third;
  Drain(source, third);  // unchanged: nothing
  EXPECT_TRUE(third.events.empty());
}

TEST(EvtxSourceStateTest, RestartResumesAfterTheLastDurableRecord) {
  testing::TempDir dir;
  std::string path = dir.File("Sysmon.evtx");
  WriteBytes(path, TwoChunkLog());
  EvtxSource source(Config(path), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  ReadResult run;
  Drain(source, run);
  ASSERT_EQ(run.events.size(), 13u);
  std::string partial = source.DurableState(5);  // records 1-5 are durable
  ReadResult resumed = ReadAll(path, partial);
  EXPECT_EQ(Positions(resumed.events),
            (std::vector<uint64_t>{6, 7, 8, 9, 10, 11, 12, 13}));
  EXPECT_EQ(resumed.events[0].event_id(), run.events[5].event_id());  // a re-send keeps its id
  std::string all = source.DurableState(13);
  EXPECT_TRUE(ReadAll(path, all).events.empty());
  // DurableState forgets nothing it reported: asking again gives the same state.
  EXPECT_EQ(source.DurableState(13), all);
}

TEST(EvtxSourceStateTest, ClearedLogUnderTheSameNameIsReadFromItsStart) {
  testing::TempDir dir;
  std::string path = dir.File("Sysmon.evtx");
  WriteBytes(path, TwoChunkLog());
  EvtxSource source(Config(path), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  ReadResult run;
  Drain(source, run);
  std::string state = source.DurableState(13);  // up to record 13
  // Another log now sits under the name, with fewer records (1-4): read from its start.
  WriteBytes(path, ReadBytes(kWebshell));
  EXPECT_EQ(Positions(ReadAll(path, state).events), (std::vector<uint64_t>{1, 2, 3, 4}));
  // The record we stopped at exists but was written at another time: cleared, then refilled.
  std::string other_time = "tripline-evtx-state v1\n3\t1\tx\t" + path + "\n";
  EXPECT_EQ(Positions(ReadAll(path, other_time).events), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(EvtxSourceStateTest, FailedEmitHandsTheSameRecordAgain) {
  EvtxSource source(Config(kWebshell), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  std::vector<uint64_t> seen;
  int calls = 0;
  EmitFn flaky = [&](const v1::Event& e) {
    if (++calls == 2) return absl::ResourceExhaustedError("spool full");
    seen.push_back(e.source().position());
    return absl::OkStatus();
  };
  absl::StatusOr<size_t> n = source.Poll(1 << 20, flaky);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kResourceExhausted);
  n = source.Poll(1 << 20, flaky);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(source.counters().records, 4u);
}

TEST(EvtxSourceStateTest, BudgetBoundsAPoll) {
  EvtxSource source(Config(kWebshell), "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  int emitted = 0;
  EmitFn count = [&emitted](const v1::Event&) {
    ++emitted;
    return absl::OkStatus();
  };
  absl::StatusOr<size_t> n = source.Poll(1, count);  // at least one record, then stop
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(emitted, 1);
  EXPECT_GT(*n, 100u);
  while (source.Poll(1, count).value_or(0) > 0) {
  }
  EXPECT_EQ(emitted, 4);
}

TEST(EvtxSourceStateTest, FolderIsReadInNameOrderAndOnlyEvtxFiles) {
  testing::TempDir dir;
  WriteBytes(dir.File("b.evtx"), ReadBytes(kWebshell));
  WriteBytes(dir.File("A.EVTX"), ReadBytes(kPowercat));
  dir.Write("notes.txt", "not a log");
  std::filesystem::create_directories(dir.File("sub"));
  WriteBytes(dir.File("sub/c.evtx"), ReadBytes(kWebshell));  // not recursive
  ReadResult run = ReadAll(dir.path());
  ASSERT_EQ(run.events.size(), 13u);
  EXPECT_EQ(run.events.front().source().path(), dir.File("A.EVTX"));
  EXPECT_EQ(run.events.back().source().path(), dir.File("b.evtx"));
  EXPECT_EQ(run.counters.read_errors, 0u);
}

TEST(EvtxSourceStateTest, GarbageFileAndMissingPathAreNotFatal) {
  testing::TempDir dir;
  dir.Write("junk.evtx", std::string(70000, 'x'));
  ReadResult run = ReadAll(dir.path());
  EXPECT_TRUE(run.events.empty());
  EXPECT_EQ(run.counters.read_errors, 1u);
  EXPECT_TRUE(ReadAll(dir.File("missing")).events.empty());
}

TEST(EvtxSourceStateTest, UnknownStateIsRefused) {
  EvtxSource source(Config(kWebshell), "agent-1", v1::Host());
  EXPECT_FALSE(source.Start("tripline-file-state v1\n").ok());
  EvtxSource other(Config(kWebshell), "agent-1", v1::Host());
  EXPECT_FALSE(other.Start("tripline-evtx-state v1\nnot\ta\tnumber\tpath\n").ok());
}

}  // namespace
}  // namespace tripline::agent
