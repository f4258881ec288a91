#include "agent/checkpoint/checkpoint_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

TEST(CheckpointStore, SavesAndLoadsEverySource) {
  testing::TempDir dir;
  CheckpointStore a(dir.File("cp"));
  ASSERT_TRUE(a.Load().ok());  // missing file = empty
  EXPECT_EQ(a.Find("iis"), nullptr);
  a.Set("iis", {"2049:1234", 4096});
  a.Set("httpproxy-owa", {"2049:99", 7});
  ASSERT_TRUE(a.Save().ok());
  CheckpointStore b(dir.File("cp"));
  ASSERT_TRUE(b.Load().ok());
  ASSERT_NE(b.Find("iis"), nullptr);
  EXPECT_EQ(b.Find("iis")->file_id, "2049:1234");
  EXPECT_EQ(b.Find("iis")->offset, 4096u);
  EXPECT_EQ(b.Find("httpproxy-owa")->offset, 7u);
}

TEST(CheckpointStore, CorruptFileIsAnErrorNotAGuess) {
  testing::TempDir dir;
  dir.Write("cp", "tripline-checkpoint v1\niis\t1:2\tnot-a-number\n");
  CheckpointStore s(dir.File("cp"));
  absl::Status st = s.Load();
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("cp:2: bad offset"), std::string::npos) << st;
  dir.Write("cp", "something else\n");
  EXPECT_FALSE(s.Load().ok());
}

}  // namespace
}  // namespace tripline::agent
