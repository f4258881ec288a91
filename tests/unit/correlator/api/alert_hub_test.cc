#include "correlator/api/alert_hub.h"

#include <gtest/gtest.h>

#include <thread>

namespace tripline::correlator {
namespace {

using namespace std::chrono_literals;

v1::Alert MakeAlert(const std::string& id, v1::Severity severity) {
  v1::Alert a;
  a.set_alert_id(id);
  a.set_severity(severity);
  return a;
}

TEST(AlertHub, EverySubscriberGetsWhatIsAtOrAboveItsSeverity) {
  AlertHub hub;
  auto all = hub.Subscribe(v1::SEVERITY_UNSPECIFIED);
  auto high = hub.Subscribe(v1::SEVERITY_HIGH);
  hub.Publish(MakeAlert("a1", v1::SEVERITY_LOW));
  hub.Publish(MakeAlert("a2", v1::SEVERITY_CRITICAL));
  EXPECT_EQ(all->Next(0ms)->alert_id(), "a1");
  EXPECT_EQ(all->Next(0ms)->alert_id(), "a2");
  EXPECT_EQ(high->Next(0ms)->alert_id(), "a2");
  EXPECT_FALSE(high->Next(0ms).has_value());
}

TEST(AlertHub, ASlowSubscriberLosesItsOldestAlertsCountedAndNeverBlocksPublish) {
  AlertHub hub(/*queue_capacity=*/3);
  auto slow = hub.Subscribe(v1::SEVERITY_UNSPECIFIED);
  for (int i = 0; i < 10; ++i) hub.Publish(MakeAlert("a" + std::to_string(i), v1::SEVERITY_HIGH));
  EXPECT_EQ(slow->dropped(), 7u);
  EXPECT_EQ(slow->Next(0ms)->alert_id(), "a7");
  EXPECT_EQ(slow->Next(0ms)->alert_id(), "a8");
  EXPECT_EQ(slow->Next(0ms)->alert_id(), "a9");
}

TEST(AlertHub, CloseWakesAWaitingSubscriber) {
  AlertHub hub;
  auto sub = hub.Subscribe(v1::SEVERITY_UNSPECIFIED);
  std::thread closer([&] { hub.Close(); });
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sub->Next(30s).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
  closer.join();
  EXPECT_EQ(hub.subscribers(), 0u);
}

}  // namespace
}  // namespace tripline::correlator
