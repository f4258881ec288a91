#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tripline {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

std::string Repaired(std::string_view in, size_t* replaced = nullptr) {
  std::string out;
  size_t n = AppendRepairedUtf8(in, &out);
  if (replaced != nullptr) *replaced = n;
  return out;
}

TEST(Utf8Test, WellFormedTextIsValidAndUnchanged) {
  for (std::string_view s :
       {"", "plain ascii, long enough for the 8-byte fast path", "caf\xC3\xA9", "\xE2\x82\xAC 20",
        "\xF0\x9F\x98\x80", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    size_t n = 99;
    EXPECT_EQ(Repaired(s, &n), s);
    EXPECT_EQ(n, 0u);
  }
}

TEST(Utf8Test, EachMaximalIllFormedSubpartBecomesOneReplacement) {
  struct Case {
    std::string_view in;
    std::string want;
    size_t replaced;
  };
  const std::string r(kFffd);
  const Case cases[] = {
      {"a\x80z", "a" + r + "z", 1},                         // stray continuation byte
      {"\xFF", r, 1},                                       // never in UTF-8
      {"\xC0\xAF", r + r, 2},                               // overlong '/'
      {"\xE2\x82", r, 1},                                   // cut 3-byte sequence, at the end
      {"\xE2\x82z", r + "z", 1},                            // cut 3-byte sequence, then ASCII
      {"\xED\xA0\x80", r + r + r, 3},                       // UTF-8 encoded surrogate
      {"\xF4\x90\x80\x80", r + r + r + r, 4},               // past U+10FFFF
      {"\xF0\x9F\x98", r, 1},                               // cut 4-byte sequence
      {"0123456789abcdef\xC3", "0123456789abcdef" + r, 1},  // after the ASCII fast path
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.in)) << testing::PrintToString(std::string(c.in));
    size_t n = 0;
    std::string out = Repaired(c.in, &n);
    EXPECT_EQ(out, c.want) << testing::PrintToString(std::string(c.in));
    EXPECT_EQ(n, c.replaced) << testing::PrintToString(std::string(c.in));
    EXPECT_TRUE(IsValidUtf8(out));
    EXPECT_EQ(RepairedUtf8(c.in), c.want);
  }
}

TEST(Utf8Test, PrefixNeverEndsInsideACharacter) {
  const std::string s =
      "ab\xE2\x82\xAC"
      "cd";  // a, b, euro (3 bytes), c, d
  EXPECT_EQ(Utf8Prefix(s, 2), "ab");
  EXPECT_EQ(Utf8Prefix(s, 3), "ab");
  EXPECT_EQ(Utf8Prefix(s, 4), "ab");
  EXPECT_EQ(Utf8Prefix(s, 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(Utf8Prefix(s, 100), s);
  EXPECT_EQ(Utf8Prefix(std::string(6, '\x80'), 3), std::string(3, '\x80'));  // not UTF-8 at all
}

}  // namespace
}  // namespace tripline
