#include "common/platform/glob_match.h"

#include <gtest/gtest.h>

#include <string>

namespace tripline::platform {
namespace {

struct Case {
  const char* pattern;
  const char* text;
  bool posix;    // fnmatch(3) without flags
  bool windows;  // case folded, \ and / the same
};

TEST(MatchGlob, MatchesLikeFnmatchOrLikeWindows) {
  const Case cases[] = {
      {"*.log", "u_ex240101.log", true, true},
      {"*.log", "u_ex240101.LOG", false, true},
      {"/var/log/*.log", "/var/log/a/b.log", true, true},  // '*' crosses separators
      {"u_ex??????.log", "u_ex240101.log", true, true},
      {"u_ex??????.log", "u_ex2401011.log", false, false},
      {"W3SVC[0-9]", "W3SVC7", true, true},
      {"W3SVC[0-9]", "w3svcx", false, false},
      {"W3SVC[!0-9]", "W3SVCx", true, true},
      {"W3SVC[^0-9]", "W3SVC1", false, false},
      {"C:\\inetpub\\*\\u_ex*.log", "c:/INETPUB/logs/u_ex1.log", false, true},
      {"a\\*b", "a*b", true, false},  // POSIX: an escaped '*'
      {"[", "[", true, true},         // an unclosed bracket is a literal
      {"*", "", true, true},
      {"", "", true, true},
      {"?", "", false, false},
      {"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MatchGlob(c.pattern, c.text, false), c.posix) << c.pattern << " ~ " << c.text;
    EXPECT_EQ(MatchGlob(c.pattern, c.text, true), c.windows) << c.pattern << " ~ " << c.text;
  }
}

TEST(MatchGlob, HostilePatternsStayFast) {
  std::string pattern(2000, '*');
  pattern += "b";
  std::string text(20000, 'a');
  EXPECT_FALSE(MatchGlob(pattern, text, false));  // one backtrack point: no blow-up
}

TEST(HasGlobMeta, FindsWildcards) {
  EXPECT_TRUE(HasGlobMeta("W3SVC*"));
  EXPECT_TRUE(HasGlobMeta("u_ex??.log"));
  EXPECT_TRUE(HasGlobMeta("[ab]"));
  EXPECT_FALSE(HasGlobMeta("HttpProxy"));
}

}  // namespace
}  // namespace tripline::platform
