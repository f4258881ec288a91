// Live changes seen through real inotify in a temp dir.
#include "agent/sources/fim/fim_source.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "common/hash.h"
#include "tests/unit/agent/fim/fim_test_util.h"

namespace tripline::agent {
namespace {

using ::testing::Contains;
using Action = v1::FileChange;
using std::chrono::steady_clock;

class FimSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }
  FimHarness h_;
};

TEST_F(FimSourceTest, DroppedWebShellIsReportedWithinTwoSeconds) {
  auto written = steady_clock::now();
  std::string path = h_.Write("shell.aspx", kChopper);
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(e.has_value()) << "no CREATED event within 2 s";
  EXPECT_LT(steady_clock::now() - written, std::chrono::seconds(2));
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex(kChopper));
  EXPECT_EQ(e->file().size(), sizeof(kChopper) - 1);
  EXPECT_EQ(e->file().name(), "shell.aspx");
  EXPECT_EQ(e->file().extension(), "aspx");
  EXPECT_THAT(e->file().webshell_markers(), Contains("chopper_eval_request"));
  EXPECT_THAT(e->file().webshell_markers(), Contains("jscript_runat_server_eval"));
  // Envelope: deterministic id over (agent, "fim:" + root, sequence).
  EXPECT_EQ(e->event_id(), EventId("agent-1", "fim:" + h_.root(), 1));
  EXPECT_EQ(e->agent_id(), "agent-1");
  EXPECT_EQ(e->host().name(), "exch01");
  EXPECT_EQ(e->source().kind(), v1::Source::KIND_FIM);
  EXPECT_EQ(e->source().name(), "webroot");
  EXPECT_EQ(e->source().path(), path);
  EXPECT_EQ(e->source().file_id(), h_.root());
  EXPECT_EQ(e->source().position(), 1u);
  EXPECT_EQ(e->source().format(), "fim");
  EXPECT_EQ(e->labels().at("fim.detected_by"), "inotify");
  EXPECT_GT(e->file().mtime().seconds(), 0);
  EXPECT_EQ(h_.source().counters().records, 1u);
}

TEST_F(FimSourceTest, ModifyReportsTheNewHash) {
  std::string path = h_.Write("a.aspx", "<html>v1</html>");
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, path));
  h_.Write("a.aspx", "<html>v2 Process.Start(</html>");
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_MODIFIED, path);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex("<html>v2 Process.Start(</html>"));
  EXPECT_THAT(e->file().webshell_markers(), Contains("process_start"));
  EXPECT_EQ(e->source().position(), 2u);
}

TEST_F(FimSourceTest, FileKeptOpenIsReportedAfterItGoesQuiet) {
  std::string path = h_.Path("growing.js");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "var a=1;", 8), 8);
  // No close: no IN_CLOSE_WRITE. The settle window (500 ms) releases it.
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_CREATED, path);
  ::close(fd);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex("var a=1;"));
}

TEST_F(FimSourceTest, RenameReportsOldPath) {
  std::string from = h_.Write("a.aspx", "content");
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, from));
  std::string to = h_.Path("errorEE.aspx");
  std::filesystem::rename(from, to);
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_RENAMED, to);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().old_path(), from);
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex("content"));
  EXPECT_EQ(h_.Count(Action::ACTION_DELETED, from), 0u);
  EXPECT_EQ(h_.Count(Action::ACTION_CREATED, to), 0u);
}

TEST(FimSourceFilterTest, TextFileRenamedToAspxIsScannedAsCreated) {
  FimHarness h;
  h.config().include_extensions = {"aspx"};
  ASSERT_TRUE(h.Start().ok());
  std::string txt = h.Write("drop.txt", kChopper);
  std::string aspx = h.Path("drop.aspx");
  std::filesystem::rename(txt, aspx);
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, aspx);
  ASSERT_TRUE(e.has_value());
  EXPECT_THAT(e->file().webshell_markers(), Contains("chopper_eval_request"));
  EXPECT_EQ(h.Count(Action::ACTION_CREATED, txt), 0u);
}

TEST_F(FimSourceTest, DeleteReportsTheLastKnownHash) {
  std::string path = h_.Write("gone.aspx", "bye");
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, path));
  std::filesystem::remove(path);
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_DELETED, path);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex("bye"));
}

TEST_F(FimSourceTest, MovesAcrossTheRootAreDeletionsAndCreations) {
  std::string inside = h_.Write("a.aspx", "x");
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, inside));
  std::string outside = h_.root() + "/../moved-out.aspx";
  std::filesystem::rename(inside, outside);
  EXPECT_TRUE(h_.WaitFor(Action::ACTION_DELETED, inside));  // no IN_MOVED_TO pairs with it
  std::string back = h_.Path("moved-in.aspx");
  std::filesystem::rename(outside, back);
  EXPECT_TRUE(h_.WaitFor(Action::ACTION_CREATED, back));
}

// Root reads every file: as root, the test runs as `nobody` while the source looks at the file.
class EffectiveUser {
 public:
  EffectiveUser() : saved_(::geteuid()) {}
  ~EffectiveUser() {
    if (::geteuid() != saved_) {
      EXPECT_EQ(::seteuid(saved_), 0);
    }
  }
  // `root` is <tmp>/www; nobody needs to enter <tmp>, write www and the baseline in <tmp>/data.
  bool BecomeNobody(const std::string& root) {
    if (saved_ != 0) return true;
    std::filesystem::path www(root);
    for (const auto& p : {www, www.parent_path(), www.parent_path() / "data"}) {
      std::filesystem::permissions(p, std::filesystem::perms::all);
    }
    return ::seteuid(65534) == 0;
  }

 private:
  uid_t saved_;
};

TEST_F(FimSourceTest, UnreadableFileIsReportedWithoutHashAndCounted) {
  EffectiveUser user;
  ASSERT_TRUE(user.BecomeNobody(h_.root()));
  std::string path = h_.Path("locked.aspx");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0000);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "x", 1), 1);
  ::close(fd);
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->file().hash_sha256().empty());
  EXPECT_EQ(e->labels().at("fim.unreadable"), "true");
  EXPECT_EQ(h_.source().counters().read_errors, 1u);
}

TEST_F(FimSourceTest, NewSubfolderIsWatchedAndItsFileReported) {
  std::filesystem::create_directories(h_.Path("aspnet_client/system_web"));
  std::string path = h_.Write("aspnet_client/system_web/zxvt0lpt.aspx", kChopper);
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, path));
  // The new folder is watched: a later change in it is live too.
  h_.Write("aspnet_client/system_web/zxvt0lpt.aspx", "changed");
  EXPECT_TRUE(h_.WaitFor(Action::ACTION_MODIFIED, path));
}

TEST_F(FimSourceTest, FolderRenameRenamesItsFiles) {
  std::string old_file = h_.Write("auth/Current/x.aspx", "x");
  ASSERT_TRUE(h_.WaitFor(Action::ACTION_CREATED, old_file));
  std::filesystem::rename(h_.Path("auth"), h_.Path("auth2"));
  std::optional<v1::Event> e = h_.WaitFor(Action::ACTION_RENAMED, h_.Path("auth2/Current/x.aspx"));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().old_path(), old_file);
  // Watches follow the new name.
  std::string later = h_.Write("auth2/Current/y.aspx", "y");
  EXPECT_TRUE(h_.WaitFor(Action::ACTION_CREATED, later));
}

TEST(FimSourceLimitTest, LargeFileIsHashedUpToTheLimitAndFlagged) {
  FimHarness h;
  h.config().max_hash_bytes = 1024;
  ASSERT_TRUE(h.Start().ok());
  std::string content = std::string(1000, 'a') + "eval(Request[" + std::string(3000, 'b');
  std::string path = h.Write("big.aspx", content);
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->file().size(), content.size());
  EXPECT_EQ(e->file().hash_sha256(), Sha256Hex(content.substr(0, 1024)));
  EXPECT_EQ(e->labels().at("fim.hash_truncated"), "true");
  EXPECT_THAT(e->file().webshell_markers(), Contains("chopper_eval_request"));  // in the prefix
  EXPECT_EQ(h.source().counters().truncated, 1u);
}

TEST(FimSourceLimitTest, WatchCapIsCountedAndTheRescanStillFindsFiles) {
  FimHarness h;
  h.config().max_watches = 1;  // the root only
  std::filesystem::create_directories(h.Path("sub"));
  ASSERT_TRUE(h.Start().ok());
  EXPECT_GE(h.source().fim_counters().watch_errors, 1u);
  std::string path = h.Write("sub/unwatched.aspx", "x");
  h.source().RequestRescan();
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->labels().at("fim.detected_by"), "scan");
}

TEST(FimSourceFilterTest, ExcludedAndSymlinkedFilesAreNotReported) {
  FimHarness h;
  h.config().exclude_globs = {"*.log"};
  ASSERT_TRUE(h.Start().ok());
  h.Write("iis.log", "x");
  std::string outside = h.Write("../outside.aspx", kChopper);
  std::filesystem::create_symlink(outside, h.Path("link.aspx"));
  std::string marker = h.Write("last.aspx", "x");
  ASSERT_TRUE(h.WaitFor(Action::ACTION_CREATED, marker));
  h.PollUntil([] { return false; }, std::chrono::milliseconds(600));  // past the settle window
  for (const v1::Event& e : h.events()) EXPECT_EQ(e.file().path(), marker);
}

TEST_F(FimSourceTest, RecordRefusedByTheSpoolIsHandedAgainWithTheSameId) {
  std::string path = h_.Write("a.aspx", "x");
  std::vector<std::string> ids;
  bool refuse = true;
  auto emit = [&](const v1::Event& e) {
    ids.push_back(e.event_id());
    if (refuse) return absl::ResourceExhaustedError("spool full");
    return absl::OkStatus();
  };
  auto deadline = steady_clock::now() + std::chrono::seconds(2);
  while (ids.empty() && steady_clock::now() < deadline) {
    absl::StatusOr<size_t> r = h_.source().Poll(1 << 20, emit);
    EXPECT_EQ(r.ok(), ids.empty()) << r.status();  // the refusal ends the poll with its error
  }
  ASSERT_EQ(ids.size(), 1u);
  refuse = false;
  ASSERT_TRUE(h_.source().Poll(1 << 20, emit).ok());
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(h_.source().counters().records, 1u);
}

}  // namespace
}  // namespace tripline::agent
