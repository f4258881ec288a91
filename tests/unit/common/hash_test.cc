#include "common/hash.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_set>

namespace tripline {
namespace {

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StableId, LengthPrefixedParts) {
  EXPECT_EQ(StableId({"ab", "c"}).size(), 32u);
  EXPECT_NE(StableId({"ab", "c"}), StableId({"a", "bc"}));
  EXPECT_EQ(StableId({"ab", "c"}), StableId({"ab", "c"}));
}

TEST(EventId, DeterministicAndShapedAsBefore) {
  std::string id = EventId("EXCH01", "123:456/abcdef0123456789", 4096);
  ASSERT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  EXPECT_EQ(id, EventId("EXCH01", "123:456/abcdef0123456789", 4096));
  // The same key reused gives the same ids as the one-off function, into a reused buffer.
  EventIdKey key("EXCH01", "123:456/abcdef0123456789");
  std::string out = "a longer buffer that must be overwritten entirely";
  key.IdTo(4096, &out);
  EXPECT_EQ(out, id);
}

TEST(EventId, EveryPartMatters) {
  std::string base = EventId("EXCH01", "f1", 100);
  EXPECT_NE(base, EventId("EXCH02", "f1", 100));
  EXPECT_NE(base, EventId("EXCH01", "f2", 100));
  EXPECT_NE(base, EventId("EXCH01", "f1", 101));
  // Length prefixes: moving a byte from the agent id to the source id changes the id.
  EXPECT_NE(EventId("ab", "c", 1), EventId("a", "bc", 1));
}

TEST(EventId, NoTwoPositionsOfOneSourceShareAnId) {
  // The position part is a bijection: 200,000 consecutive offsets and 200,000 random ones
  // (as a file's byte offsets and EVTX record numbers are) give distinct ids.
  EventIdKey key("EXCH01", "77:88/0011223344556677");
  std::unordered_set<std::string> seen;
  std::string id;
  for (uint64_t pos = 0; pos < 200000; ++pos) {
    key.IdTo(pos, &id);
    ASSERT_TRUE(seen.insert(id).second) << "position " << pos;
  }
  std::mt19937_64 rng(11);
  std::unordered_set<uint64_t> positions;
  seen.clear();
  while (positions.size() < 200000) {
    uint64_t pos = rng();
    if (!positions.insert(pos).second) continue;
    key.IdTo(pos, &id);
    ASSERT_TRUE(seen.insert(id).second) << "position " << pos;
  }
}

TEST(EventId, SourcesOfOneAgentDoNotCollide) {
  // 2,000 sources x 100 positions: every id distinct (the prefixes separate the sources).
  std::unordered_set<std::string> seen;
  for (int f = 0; f < 2000; ++f) {
    EventIdKey key("EXCH01", "inode:" + std::to_string(f));
    std::string id;
    for (uint64_t pos = 0; pos < 100; ++pos) {
      key.IdTo(pos * 120, &id);
      ASSERT_TRUE(seen.insert(id).second) << f << " " << pos;
    }
  }
}

}  // namespace
}  // namespace tripline
