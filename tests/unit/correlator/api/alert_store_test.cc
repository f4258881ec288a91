#include "correlator/api/alert_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

v1::Alert MakeAlert(const std::string& id, int64_t created_s, v1::Severity severity) {
  v1::Alert a;
  a.set_alert_id(id);
  a.set_severity(severity);
  a.mutable_created_time()->set_seconds(created_s);
  a.set_message("alert " + id);
  return a;
}

std::vector<std::string> Ids(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.alert_id());
  return out;
}

TEST(AlertStore, ListsNewestFirstFiltersAndSurvivesAReopen) {
  testing::TempDir dir;
  {
    auto store = *AlertStore::Open(dir.File("alerts"));
    ASSERT_TRUE(store->Put(MakeAlert("a", 100, v1::SEVERITY_LOW)).ok());
    ASSERT_TRUE(store->Put(MakeAlert("b", 200, v1::SEVERITY_HIGH)).ok());
    ASSERT_TRUE(store->Put(MakeAlert("c", 300, v1::SEVERITY_CRITICAL)).ok());
  }
  auto store = *AlertStore::Open(dir.File("alerts"));
  EXPECT_EQ(Ids(store->List(10, v1::SEVERITY_UNSPECIFIED, 0)), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(Ids(store->List(2, v1::SEVERITY_UNSPECIFIED, 0)), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(Ids(store->List(10, v1::SEVERITY_HIGH, 0)), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(Ids(store->List(10, v1::SEVERITY_UNSPECIFIED, 200'000'000)),
            (std::vector<std::string>{"c", "b"}));
  ASSERT_TRUE(store->Get("b").has_value());
  EXPECT_EQ(store->Get("b")->message(), "alert b");
  EXPECT_FALSE(store->Get("zzz").has_value());
}

// A replay after a crash raises the same alert id again: one entry, not two.
TEST(AlertStore, TheSameAlertIdIsKeptOnceAndTheStoreIsBounded) {
  testing::TempDir dir;
  auto store = *AlertStore::Open(dir.File("alerts"), /*max_alerts=*/20);
  ASSERT_TRUE(store->Put(MakeAlert("same", 100, v1::SEVERITY_HIGH)).ok());
  ASSERT_TRUE(store->Put(MakeAlert("same", 150, v1::SEVERITY_HIGH)).ok());
  EXPECT_EQ(Ids(store->List(10, v1::SEVERITY_UNSPECIFIED, 0)), (std::vector<std::string>{"same"}));
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store->Put(MakeAlert("x" + std::to_string(i), 1000 + i, v1::SEVERITY_LOW)).ok());
  }
  auto all = store->List(1000, v1::SEVERITY_UNSPECIFIED, 0);
  EXPECT_LE(all.size(), 20u);
  EXPECT_EQ(all.front().alert_id(), "x49");  // the newest stay
  EXPECT_FALSE(store->Get("same").has_value());
}

}  // namespace
}  // namespace tripline::correlator
