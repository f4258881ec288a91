#include "common/strings.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace tripline {
namespace {

// The obvious definition, one find() per piece.
std::vector<std::string_view> ReferenceSplit(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

TEST(SplitInto, Examples) {
  std::vector<std::string_view> out;
  SplitInto("a  b", ' ', out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"a", "", "b"}));
  out.clear();
  SplitInto("", ' ', out);
  EXPECT_EQ(out, (std::vector<std::string_view>{""}));
  out = {"kept"};  // appends
  SplitInto(" x ", ' ', out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"kept", "", "x", ""}));
}

TEST(SplitInto, EqualsTheObviousSplitAtEveryLengthAndPosition) {
  // Separators at every offset around the 16-byte blocks, bytes with the high bit set (the
  // vector compare is signed), and the separator as the first and last byte.
  std::mt19937 rng(5);
  const std::string alphabet = std::string("ab -\x80\xff", 6);
  for (size_t len = 0; len < 80; ++len) {
    for (int round = 0; round < 200; ++round) {
      std::string text(len, 'a');
      for (char& c : text) c = alphabet[rng() % alphabet.size()];
      for (char sep : {' ', '\xff'}) {
        std::vector<std::string_view> out;
        SplitInto(text, sep, out);
        ASSERT_EQ(out, ReferenceSplit(text, sep)) << "len " << len;
      }
    }
  }
}

}  // namespace
}  // namespace tripline
