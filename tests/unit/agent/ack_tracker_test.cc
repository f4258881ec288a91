#include "agent/ship/ack_tracker.h"

#include <gtest/gtest.h>

namespace tripline::agent {
namespace {

TEST(AckTracker, CheckpointAdvancesOnlyOverAContiguousDeliveredPrefix) {
  AckTracker t;
  uint64_t a = t.Add("iis", "1:2", 10);
  uint64_t b = t.Add("iis", "1:2", 20);
  uint64_t c = t.Add("iis", "1:2", 30);
  t.Ack(c);  // delivered out of order: must not move the checkpoint past a and b
  EXPECT_FALSE(t.PopDelivered().has_value());
  t.Ack(a);
  auto p = t.PopDelivered();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->end_offset, 10u);
  t.Ack(b);
  p = t.PopDelivered();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->end_offset, 30u);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(AckTracker, DuplicateAndStaleAcksAreIgnored) {
  AckTracker t;
  uint64_t a = t.Add("s", "f", 5);
  t.Ack(a);
  t.Ack(a);
  ASSERT_TRUE(t.PopDelivered().has_value());
  t.Ack(a);  // already popped
  uint64_t b = t.Add("s", "f", 9);
  EXPECT_EQ(b, a + 1);
  EXPECT_FALSE(t.PopDelivered().has_value());
  EXPECT_EQ(t.in_flight(), 1u);
}

}  // namespace
}  // namespace tripline::agent
