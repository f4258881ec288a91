#include "agent/parsers/plain/plain_parser.h"

#include <gtest/gtest.h>

namespace tripline::agent {
namespace {

TEST(PlainParser, LineBecomesTheMessage) {
  PlainParser parser;
  v1::Event e;
  ASSERT_EQ(*parser.Parse("Felter: Timestamp, kommando, respons\r", e), LineKind::kRecord);
  EXPECT_EQ(e.app().message(), "Felter: Timestamp, kommando, respons");
  EXPECT_TRUE(e.app().fields().empty());
  EXPECT_FALSE(e.has_event_time());
  v1::Event blank;
  EXPECT_EQ(*parser.Parse(" \t\r", blank), LineKind::kSkipped);
  EXPECT_FALSE(blank.has_app());
}

}  // namespace
}  // namespace tripline::agent
