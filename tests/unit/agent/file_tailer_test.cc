#include "agent/sources/file/file_tailer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

struct Collected {
  std::vector<std::string> lines;
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> ends;
  std::vector<bool> truncated;
  std::vector<TailRestart> restarts;
};

size_t PollAll(FileTailer& t, Collected& c, size_t budget = 1 << 20) {
  auto n = t.Poll(
      budget,
      [&](const TailedLine& l) {
        c.lines.emplace_back(l.text);
        c.offsets.push_back(l.offset);
        c.ends.push_back(l.end_offset);
        c.truncated.push_back(l.truncated);
      },
      [&](TailRestart r) { c.restarts.push_back(r); });
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : 0;
}

TEST(FileTailer, MissingFileIsNotAnErrorAndIsPickedUpWhenCreated) {
  testing::TempDir dir;
  FileTailer t(dir.File("u_ex.log"), 1024);
  Collected c;
  EXPECT_EQ(PollAll(t, c), 0u);
  dir.Write("u_ex.log", "a\nb\n");
  PollAll(t, c);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.offsets, (std::vector<uint64_t>{0, 2}));
  EXPECT_EQ(c.ends, (std::vector<uint64_t>{2, 4}));
}

TEST(FileTailer, PartialLastLineIsHeldUntilComplete) {
  testing::TempDir dir;
  std::string path = dir.Write("f.log", "first\nsec");
  FileTailer t(path, 1024);
  Collected c;
  PollAll(t, c);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"first"}));
  EXPECT_EQ(t.line_offset(), 6u);
  dir.Write("f.log", "ond\n", /*append=*/true);
  PollAll(t, c);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(c.offsets[1], 6u);
}

TEST(FileTailer, OverlongLineIsCutFlaggedAndTheRestSkipped) {
  testing::TempDir dir;
  std::string path = dir.Write("f.log", std::string(100, 'x') + "\nshort\n");
  FileTailer t(path, 10);
  Collected c;
  PollAll(t, c);
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_EQ(c.lines[0], std::string(10, 'x'));
  EXPECT_TRUE(c.truncated[0]);
  EXPECT_EQ(c.lines[1], "short");
  EXPECT_FALSE(c.truncated[1]);
}

TEST(FileTailer, OverlongLineSplitAcrossReadsIsCutOnce) {
  testing::TempDir dir;
  std::string path = dir.Write("f.log", std::string(50, 'y'));
  FileTailer t(path, 10);
  Collected c;
  PollAll(t, c);
  dir.Write("f.log", std::string(50, 'y') + "\nnext\n", true);
  PollAll(t, c);
  EXPECT_EQ(c.lines, (std::vector<std::string>{std::string(10, 'y'), "next"}));
}

TEST(FileTailer, RenameRotationDrainsOldFileThenReadsNewFromStart) {
  testing::TempDir dir;
  std::string path = dir.Write("u_ex.log", "old1\n");
  FileTailer t(path, 1024);
  Collected c;
  PollAll(t, c);
  dir.Write("u_ex.log", "old2\n", true);
  std::filesystem::rename(path, dir.File("u_ex.log.1"));
  dir.Write("u_ex.log", "new1\n");
  PollAll(t, c);  // drains old2 from the renamed file
  PollAll(t, c);  // notices the replacement
  PollAll(t, c);  // reads the new file
  EXPECT_EQ(c.lines, (std::vector<std::string>{"old1", "old2", "new1"}));
  EXPECT_EQ(c.offsets.back(), 0u);
  EXPECT_NE(std::find(c.restarts.begin(), c.restarts.end(), TailRestart::kReplaced),
            c.restarts.end());
}

TEST(FileTailer, TruncationRestartsAtZero) {
  testing::TempDir dir;
  std::string path = dir.Write("f.log", "aaaa\nbbbb\n");
  FileTailer t(path, 1024);
  Collected c;
  PollAll(t, c);
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  dir.Write("f.log", "c\n", true);
  PollAll(t, c);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"aaaa", "bbbb", "c"}));
  EXPECT_EQ(c.offsets.back(), 0u);
  EXPECT_NE(std::find(c.restarts.begin(), c.restarts.end(), TailRestart::kTruncated),
            c.restarts.end());
}

TEST(FileTailer, ResumesAtCheckpointOnlyForTheSameFile) {
  testing::TempDir dir;
  std::string path = dir.Write("f.log", "one\ntwo\nthree\n");
  std::string id;
  {
    FileTailer t(path, 1024);
    Collected c;
    PollAll(t, c);
    id = t.file_id();
  }
  {
    FileTailer t(path, 1024);
    t.Resume(id, 8);
    Collected c;
    PollAll(t, c);
    EXPECT_EQ(c.lines, (std::vector<std::string>{"three"}));
  }
  {
    FileTailer t(path, 1024);
    t.Resume("0:0", 8);  // another file's checkpoint: start from the head
    Collected c;
    PollAll(t, c);
    EXPECT_EQ(c.lines.size(), 3u);
  }
}

TEST(FileTailer, BudgetBoundsOnePoll) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string path = dir.Write("f.log", text);
  FileTailer t(path, 1024);
  Collected c;
  EXPECT_EQ(PollAll(t, c, 100), 100u);
  EXPECT_LT(c.lines.size(), 20u);
  while (PollAll(t, c, 100) > 0) {
  }
  EXPECT_EQ(c.lines.size(), 1000u);
  EXPECT_EQ(c.lines.back(), "line 999");
}

}  // namespace
}  // namespace tripline::agent
