#include "agent/sources/fim/baseline.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/sources/fim/file_hasher.h"
#include "agent/sources/fim/fim_config.h"
#include "common/hash.h"
#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

constexpr char kSmall[] = "<%eval(Request[\"p\"],\"unsafe\");%>";

Baseline Sample() {
  Baseline b;
  b.set_seq(42);
  b.Set("/www/owa/auth/logon.aspx", {{1234, 1614900000123456789, 1614900000223456789},
                                     std::string(64, 'a'), false});
  b.Set("/www/odd\tname\n%.aspx", {{7, 1, 2}, "", false});  // tab, newline, '%' in the name
  b.Set("/www/big.bin", {{1ull << 40, 3, 4}, std::string(64, 'b'), true});
  return b;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(BaselineTest, SaveLoadRoundTripsEveryField) {
  testing::TempDir dir;
  std::string path = dir.File("fim.baseline");
  ASSERT_TRUE(Sample().Save(path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  absl::StatusOr<Baseline> loaded = Baseline::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->seq(), 42u);
  ASSERT_EQ(loaded->entries().size(), 3u);
  Baseline expected = Sample();
  for (const auto& [p, want] : expected.entries()) {
    const BaselineEntry* got = loaded->Find(p);
    ASSERT_NE(got, nullptr) << p;
    EXPECT_EQ(got->stat, want.stat);
    EXPECT_EQ(got->sha256, want.sha256);
    EXPECT_EQ(got->truncated, want.truncated);
  }
}

TEST(BaselineTest, HeaderIsVersionedAndEachRecordIsOneLine) {
  std::string text = Sample().Serialize();
  EXPECT_EQ(text.rfind("tripline-fim-baseline 1\nseq 42\ncount 3\n", 0), 0u);
  EXPECT_NE(text.find("/www/odd%09name%0A%25.aspx\n"), std::string::npos);
}

TEST(BaselineTest, AnyFlippedByteIsDetected) {
  std::string text = Sample().Serialize();
  for (size_t i = 0; i < text.size(); i += 7) {
    std::string bad = text;
    bad[i] = bad[i] == 'x' ? 'y' : 'x';
    EXPECT_FALSE(Baseline::Parse(bad).ok()) << "byte " << i;
  }
  EXPECT_FALSE(Baseline::Parse(text.substr(0, text.size() / 2)).ok());  // torn
  EXPECT_TRUE(Baseline::Parse(text).ok());
}

TEST(BaselineTest, MissingFileIsNotFoundAndDamagedIsDataLoss) {
  testing::TempDir dir;
  EXPECT_TRUE(absl::IsNotFound(Baseline::Load(dir.File("none")).status()));
  std::string path = dir.Write("fim.baseline", "tripline-fim-baseline 1\nseq 1\ncount 0\n");
  EXPECT_TRUE(absl::IsDataLoss(Baseline::Load(path).status()));
}

TEST(BaselineTest, SaveReplacesThePreviousFile) {
  testing::TempDir dir;
  std::string path = dir.File("fim.baseline");
  ASSERT_TRUE(Sample().Save(path).ok());
  Baseline smaller;
  smaller.set_seq(43);
  ASSERT_TRUE(smaller.Save(path).ok());
  EXPECT_EQ(ReadAll(path), smaller.Serialize());
}

TEST(FileHasherTest, HashesSmallFileAndPrefixOfBigOne) {
  testing::TempDir dir;
  std::string small = dir.Write("a.aspx", kSmall);
  FileDigest d = HashFile(small, 1024, /*scan_markers=*/true);
  ASSERT_EQ(d.outcome, FileDigest::Outcome::kHashed);
  EXPECT_EQ(d.sha256, Sha256Hex(kSmall));
  EXPECT_EQ(d.stat.size, sizeof(kSmall) - 1);
  EXPECT_FALSE(d.truncated);
  EXPECT_EQ(d.markers, std::vector<std::string>{"chopper_eval_request"});

  std::string content(5000, 'z');
  std::string big = dir.Write("big.bin", content);
  d = HashFile(big, 1000, false);
  EXPECT_EQ(d.sha256, Sha256Hex(content.substr(0, 1000)));
  EXPECT_EQ(d.stat.size, 5000u);
  EXPECT_EQ(d.bytes_read, 1000u);
  EXPECT_TRUE(d.truncated);
}

TEST(FileHasherTest, SymlinksFifosAndMissingFilesAreNotHashed) {
  testing::TempDir dir;
  std::string target = dir.Write("target.aspx", "x");
  std::filesystem::create_symlink(target, dir.File("link.aspx"));
  ASSERT_EQ(::mkfifo(dir.File("pipe.aspx").c_str(), 0600), 0);
  EXPECT_EQ(HashFile(dir.File("link.aspx"), 100, true).outcome, FileDigest::Outcome::kMissing);
  EXPECT_EQ(HashFile(dir.File("pipe.aspx"), 100, true).outcome, FileDigest::Outcome::kMissing);
  EXPECT_EQ(HashFile(dir.File("none.aspx"), 100, true).outcome, FileDigest::Outcome::kMissing);
}

TEST(FileHasherTest, WindowsTimesBecomeUnixNanoseconds) {
  constexpr int64_t kUnixEpoch = 116'444'736'000'000'000;  // 100 ns ticks since 1601
  FileStat st = FileStatFromWindows(42, kUnixEpoch + 10'000'000 + 5, kUnixEpoch - 1);
  EXPECT_EQ(st.size, 42u);
  EXPECT_EQ(st.mtime_ns, 1'000'000'500);
  EXPECT_EQ(st.ctime_ns, -100);
}

TEST(PathFilterTest, ExtensionsAndGlobs) {
  PathFilter f({"aspx", "js"}, {"*/Temp/*", "*.tmp.aspx"});
  EXPECT_TRUE(f.IncludeFile("/www/owa/auth/Shell.ASPX"));
  EXPECT_TRUE(f.IncludeFile("/www/ecp/y.js"));
  EXPECT_FALSE(f.IncludeFile("/www/web.config"));
  EXPECT_FALSE(f.IncludeFile("/www/x.tmp.aspx"));
  EXPECT_FALSE(f.IncludeDir("/www/Temp/sub"));
  EXPECT_TRUE(f.IncludeDir("/www/owa"));
  EXPECT_TRUE(PathFilter({}, {}).IncludeFile("/www/anything"));
}

TEST(FimConfigTest, ListsEveryProblem) {
  FimConfig c;
  c.roots = {"relative", "/www", "/www/owa"};
  c.include_extensions = {".aspx"};
  absl::Status st = ValidateFimConfig(c, "sources[2]");
  ASSERT_FALSE(st.ok());
  std::string msg(st.message());
  for (const char* want : {"sources[2].name", "sources[2].roots[0]", "sources[2].roots[2]",
                           "sources[2].include_extensions[0]", "sources[2].baseline_path"}) {
    EXPECT_NE(msg.find(want), std::string::npos) << want << " in " << msg;
  }
}

}  // namespace
}  // namespace tripline::agent
