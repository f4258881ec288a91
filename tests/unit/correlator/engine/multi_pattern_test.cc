#include "correlator/engine/multi_pattern.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "absl/strings/ascii.h"

namespace tripline::correlator::engine {
namespace {

std::set<uint32_t> Found(const MultiPattern& m, std::string_view hay) {
  std::set<uint32_t> ids;
  m.Scan(hay, [&](uint32_t id) { ids.insert(id); });
  return ids;
}

TEST(MultiPatternTest, FindsEveryLiteralCaseInsensitively) {
  MultiPattern m;
  uint32_t exe = m.Add("\\cmd.exe");
  uint32_t he = m.Add("he");
  uint32_t she = m.Add("SHE");
  uint32_t hers = m.Add("hers");
  EXPECT_EQ(m.Add("she"), she) << "the same literal, folded, gets the same id";
  m.Build();
  EXPECT_EQ(Found(m, "C:\\Windows\\System32\\CMD.EXE /c ushers"),
            (std::set<uint32_t>{exe, he, she, hers}));
  EXPECT_EQ(Found(m, "ahishers"), (std::set<uint32_t>{he, she, hers}));
  EXPECT_TRUE(Found(m, "cmd.exe h e").empty());
  EXPECT_TRUE(Found(m, "").empty());
}

// Against the obvious search on random text over a small alphabet, where overlaps abound.
TEST(MultiPatternTest, AgreesWithNaiveSearchOnRandomInput) {
  std::mt19937 rng(7);
  auto random_text = [&](size_t n) {
    static const char kAlphabet[] = "abAB\\.-x";
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(kAlphabet[rng() % 8]);
    return s;
  };
  MultiPattern m;
  std::vector<std::string> literals;
  for (int i = 0; i < 300; ++i) {
    std::string lit = random_text(1 + rng() % 6);
    uint32_t id = m.Add(lit);
    if (id == literals.size()) literals.push_back(absl::AsciiStrToLower(lit));
  }
  m.Build();
  for (int round = 0; round < 2000; ++round) {
    std::string hay = random_text(rng() % 600);  // short ones, and long ones scanned in two halves
    std::string lower = absl::AsciiStrToLower(hay);
    std::set<uint32_t> want;
    for (uint32_t id = 0; id < literals.size(); ++id) {
      if (lower.find(literals[id]) != std::string::npos) want.insert(id);
    }
    ASSERT_EQ(Found(m, hay), want) << hay;
  }
}

}  // namespace
}  // namespace tripline::correlator::engine
