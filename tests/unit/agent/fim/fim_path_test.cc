// Path text of the FIM, Windows rules included: they are plain functions, tested here on Linux.
#include "agent/sources/fim/fim_path.h"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "agent/sources/fim/fim_config.h"
#include "common/platform/file.h"
#include "common/platform/glob_match.h"

namespace tripline::agent {
namespace {

TEST(FimPathTest, JoinPathAddsOneSeparator) {
  EXPECT_EQ(JoinPath("/www", "a.aspx", '/'), "/www/a.aspx");
  EXPECT_EQ(JoinPath("/", "www", '/'), "/www");
  EXPECT_EQ(JoinPath("C:\\inetpub", "wwwroot\\a.aspx", '\\'), "C:\\inetpub\\wwwroot\\a.aspx");
  EXPECT_EQ(JoinPath("C:\\", "inetpub", '\\'), "C:\\inetpub");
  // On Linux '\' is an ordinary byte of a name: a folder called "a\" still gets its '/'.
  EXPECT_EQ(JoinPath("/www/a\\", "b", '/'), "/www/a\\/b");
}

TEST(FimPathTest, WindowsAbsolutePaths) {
  for (const char* yes :
       {"C:\\inetpub", "c:/inetpub", "Z:\\", "\\\\server\\share\\www", "//server/share"}) {
    EXPECT_TRUE(platform::IsWindowsAbsolutePath(yes)) << yes;
  }
  for (const char* no :
       {"", "C:", "C:inetpub", "\\inetpub", "/inetpub", "inetpub", "1:\\x", "\\\\", "\\\\\\x"}) {
    EXPECT_FALSE(platform::IsWindowsAbsolutePath(no)) << no;
  }
  EXPECT_TRUE(platform::IsAbsolutePath("/var/www"));  // native rules (this test runs on Linux)
  EXPECT_FALSE(platform::IsAbsolutePath("var/www"));
  EXPECT_FALSE(platform::IsAbsolutePath(""));
}

TEST(FimPathTest, RootsAreNormalizedToOneSpelling) {
  EXPECT_EQ(NormalizeWindowsRoot("c:/inetpub//wwwroot/"), "C:\\inetpub\\wwwroot");
  EXPECT_EQ(NormalizeWindowsRoot("C:\\inetpub\\wwwroot\\\\"), "C:\\inetpub\\wwwroot");
  EXPECT_EQ(NormalizeWindowsRoot("C:\\"), "C:\\");
  EXPECT_EQ(NormalizeWindowsRoot("c:/"), "C:\\");
  EXPECT_EQ(NormalizeWindowsRoot("\\\\server\\share\\www\\"), "\\\\server\\share\\www");
  EXPECT_EQ(NormalizeWindowsRoot("//server/share"), "\\\\server\\share");
  EXPECT_EQ(NormalizeRoot("/var/www//"), "/var/www");
  EXPECT_EQ(NormalizeRoot("/"), "/");
}

TEST(FimPathTest, PathUnderWithEitherSeparator) {
  EXPECT_TRUE(PathUnder("C:\\www\\a.aspx", "C:\\www", '\\'));
  EXPECT_TRUE(PathUnder("C:\\www", "C:\\www", '\\'));
  EXPECT_FALSE(PathUnder("C:\\www2\\a.aspx", "C:\\www", '\\'));
  EXPECT_TRUE(PathUnder("C:\\a.aspx", "C:\\", '\\'));
  EXPECT_TRUE(PathUnder("/www/a", "/", '/'));
  EXPECT_FALSE(PathUnder("/www2/a", "/www", '/'));
  EXPECT_FALSE(PathUnder("/www\\a", "/www", '/'));  // Linux: '\' is part of the name
}

TEST(WindowsGlobTest, CaseInsensitiveWithBothSeparators) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"*.aspx", "C:\\www\\SHELL.ASPX", true},
      {"*.ASPX", "shell.aspx", true},
      {"*\\Temp\\*", "C:/www/temp/x.aspx", true},
      {"*/temp/*", "C:\\www\\TEMP\\x.aspx", true},
      {"C:\\www\\*", "c:\\WWW\\a\\b.js", true},  // '*' crosses separators (no FNM_PATHNAME)
      {"web.config", "Web.Config", true},
      {"?.js", "a.js", true},
      {"?.js", "ab.js", false},
      {"*.log", "x.log.aspx", false},
      {"a*b*c", "aXbYbZc", true},
      {"a*b*c", "aXbYbZ", false},
      {"[abc].txt", "B.txt", true},
      {"[!abc].txt", "b.txt", false},
      {"[^abc].txt", "d.txt", true},
      {"[a-f]*", "Eval.aspx", true},
      {"[A-F]*", "eval.aspx", true},
      {"[g-z]*", "Eval.aspx", false},
      {"[]x]", "]", true},
      {"[!]]", "a", true},
      {"[a", "[a", true},  // an unclosed set is a literal '['
      {"x[", "x[", true},
      {"", "", true},
      {"*", "", true},
      {"?", "", false},
      {"**x", "abx", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(platform::MatchGlob(c.pattern, c.text, /*windows=*/true), c.match) << c.pattern << " ~ " << c.text;
  }
}

// Without '\' (fnmatch's escape, Windows' separator), the Windows matcher is fnmatch with
// FNM_CASEFOLD: random patterns over the characters that matter must agree.
TEST(WindowsGlobTest, AgreesWithFnmatchCasefold) {
  std::mt19937 rng(20240611);
  const std::string pattern_chars = "aBc*?[]!^-/.";
  const std::string text_chars = "aAbBcC/.-]![";
  auto random = [&](const std::string& chars, size_t max_len) {
    std::string s(rng() % (max_len + 1), ' ');
    for (char& ch : s) ch = chars[rng() % chars.size()];
    return s;
  };
  for (int i = 0; i < 50000; ++i) {
    std::string pattern = random(pattern_chars, 7);
    std::string text = random(text_chars, 6);
    bool expected = fnmatch(pattern.c_str(), text.c_str(), FNM_CASEFOLD) == 0;
    ASSERT_EQ(platform::MatchGlob(pattern, text, /*windows=*/true), expected) << pattern << " ~ " << text;
  }
}

TEST(FimPathTest, Utf16RoundTripsEvenUnpairedSurrogates) {
  std::u16string name = u"caf\u00e9-\u4e2d-";
  name += static_cast<char16_t>(0xD83D);  // U+1F600 as a pair
  name += static_cast<char16_t>(0xDE00);
  EXPECT_EQ(Utf16ToUtf8(name), "caf\xc3\xa9-\xe4\xb8\xad-\xf0\x9f\x98\x80");
  EXPECT_EQ(Utf8ToUtf16(Utf16ToUtf8(name)), name);

  std::u16string lone = u"a";
  lone += static_cast<char16_t>(0xDC01);  // NTFS allows it; the path must still open the file
  lone += u".aspx";
  EXPECT_EQ(Utf16ToUtf8(lone), "a\xed\xb0\x81.aspx");
  EXPECT_EQ(Utf8ToUtf16(Utf16ToUtf8(lone)), lone);

  EXPECT_EQ(Utf8ToUtf16("\xff"
                        "a\xc0\xaf"),
            u"\ufffda\ufffd\ufffd");  // bad byte, overlong
}

TEST(FimConfigTest, NestedRootsAreFoundWhateverTheirSpelling) {
  FimConfig c;
  c.name = "www";
  c.baseline_path = "/data/fim.baseline";
  c.roots = {"/www/", "/www/owa"};  // as written in agent.yaml, before normalization
  absl::Status st = ValidateFimConfig(c, "s");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("s.roots[1]: is inside roots[0]"), std::string::npos)
      << st.message();
  c.roots = {"/www/", "/www2"};
  EXPECT_TRUE(ValidateFimConfig(c, "s").ok());
}

TEST(PathFilterTest, FoldersBetweenRootAndPath) {
  PathFilter f({}, {"Temp", "*/cache/*"});
  EXPECT_TRUE(f.IncludeFoldersBetween("/www", "/www/a/b/x.aspx", '/'));
  EXPECT_FALSE(f.IncludeFoldersBetween("/www", "/www/a/Temp/b/x.aspx", '/'));
  EXPECT_FALSE(f.IncludeFoldersBetween("/www", "/www/cache/x/y.aspx", '/'));
  EXPECT_TRUE(f.IncludeFoldersBetween("/www", "/www/Temp", '/'));  // the folder itself: IncludeDir
  // The root's own name is not judged: it was configured.
  EXPECT_TRUE(f.IncludeFoldersBetween("/srv/Temp", "/srv/Temp/x.aspx", '/'));
  EXPECT_TRUE(f.IncludeFoldersBetween("/", "/a/x.aspx", '/'));
}

}  // namespace
}  // namespace tripline::agent
