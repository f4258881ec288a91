// Baseline and delivery across restarts: changes made while stopped, crash before durability,
// first start, overflow rescans.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "agent/sources/fim/baseline.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "tests/unit/agent/fim/fim_test_util.h"

namespace tripline::agent {
namespace {

using Action = v1::FileChange;

// Polls until the source has nothing left to do: `quiet` polls in a row consume nothing.
void PollToRest(FimHarness& h) {
  int idle = 0;
  h.PollUntil([&] { return ++idle > 3 && h.PollOnce() == 0; });
}

bool BaselineHas(const FimHarness& h, const std::string& path) {
  absl::StatusOr<Baseline> b = Baseline::Load(const_cast<FimHarness&>(h).config().baseline_path);
  return b.ok() && b->Find(path) != nullptr;
}

TEST(FimRestartTest, FirstStartBuildsTheBaselineSilently) {
  FimHarness h;
  std::string a = h.Write("owa/auth/logon.aspx", "logon");
  std::string b = h.Write("owa/auth/errorFE.aspx", "error");
  ASSERT_TRUE(h.Start().ok());
  ASSERT_TRUE(h.PollUntil([&] { return BaselineHas(h, a) && BaselineHas(h, b); }));
  PollToRest(h);
  EXPECT_TRUE(h.events().empty());
  absl::StatusOr<Baseline> base = Baseline::Load(h.config().baseline_path);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->Find(a)->sha256, Sha256Hex("logon"));
}

TEST(FimRestartTest, ReportExistingReportsEveryFileAtFirstStart) {
  FimHarness h;
  h.config().report_existing = true;
  std::string a = h.Write("a.aspx", "a");
  ASSERT_TRUE(h.Start().ok());
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, a);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->labels().at("fim.detected_by"), "scan");
  EXPECT_EQ(MicrosFromTimestamp(e->event_time()), MicrosFromTimestamp(e->file().mtime()));
}

TEST(FimRestartTest, ChangesWhileStoppedAreReportedAtStart) {
  FimHarness h;
  std::string same = h.Write("same.aspx", "same");
  std::string changed = h.Write("changed.aspx", "v1");
  std::string removed = h.Write("removed.aspx", "bye");
  ASSERT_TRUE(h.Start().ok());
  ASSERT_TRUE(h.PollUntil([&] { return BaselineHas(h, removed); }));
  std::string state = h.source().DurableState(0);
  h.Stop();

  h.Write("changed.aspx", "v2 eval(Request.Item[\"x\"])");
  std::filesystem::remove(removed);
  std::string added = h.Write("aspnet_client/added.aspx", kChopper);

  ASSERT_TRUE(h.Start(state).ok());
  std::optional<v1::Event> c = h.WaitFor(Action::ACTION_CREATED, added);
  std::optional<v1::Event> m = h.WaitFor(Action::ACTION_MODIFIED, changed);
  std::optional<v1::Event> d = h.WaitFor(Action::ACTION_DELETED, removed);
  ASSERT_TRUE(c && m && d);
  EXPECT_THAT(c->file().webshell_markers(), ::testing::Contains("chopper_eval_request"));
  EXPECT_EQ(MicrosFromTimestamp(c->event_time()), MicrosFromTimestamp(c->file().mtime()));
  EXPECT_EQ(m->file().hash_sha256(), Sha256Hex("v2 eval(Request.Item[\"x\"])"));
  EXPECT_THAT(m->file().webshell_markers(), ::testing::Contains("chopper_eval_request_item"));
  EXPECT_EQ(d->file().hash_sha256(), Sha256Hex("bye"));
  PollToRest(h);
  EXPECT_EQ(h.events().size(), 3u);  // nothing for same.aspx
  EXPECT_EQ(h.Count(Action::ACTION_MODIFIED, same), 0u);
}

TEST(FimRestartTest, CrashBeforeDurabilityReportsTheChangeAgainWithTheSameId) {
  FimHarness h;
  ASSERT_TRUE(h.Start().ok());
  std::string state = h.source().DurableState(0);
  std::string path = h.Write("shell.aspx", kChopper);
  std::optional<v1::Event> first = h.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(first.has_value());
  h.Stop();  // no DurableState(1): the spool never confirmed the record

  ASSERT_TRUE(h.Start(state).ok());
  std::optional<v1::Event> again = h.WaitFor(Action::ACTION_CREATED, path);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->event_id(), first->event_id());
  EXPECT_EQ(again->file().hash_sha256(), first->file().hash_sha256());
}

TEST(FimRestartTest, DurableChangeIsNotReportedAgain) {
  FimHarness h;
  ASSERT_TRUE(h.Start().ok());
  std::string path = h.Write("shell.aspx", kChopper);
  ASSERT_TRUE(h.WaitFor(Action::ACTION_CREATED, path));
  std::string state = h.source().DurableState(1);
  EXPECT_EQ(state, "fim-v1 1");
  // Persisted within about a second even without a clean stop.
  ASSERT_TRUE(h.PollUntil([&] { return BaselineHas(h, path); }));
  h.Stop();

  ASSERT_TRUE(h.Start(state).ok());
  std::string next = h.Write("next.aspx", "x");
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, next);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->source().position(), 2u);  // sequence continues: ids never reused
  PollToRest(h);
  EXPECT_EQ(h.Count(Action::ACTION_CREATED, path), 0u);
}

TEST(FimRestartTest, SequenceSurvivesALostAgentState) {
  FimHarness h;
  ASSERT_TRUE(h.Start().ok());
  std::string path = h.Write("a.aspx", "x");
  ASSERT_TRUE(h.WaitFor(Action::ACTION_CREATED, path));
  (void)h.source().DurableState(1);
  h.Stop();
  ASSERT_TRUE(h.Start("").ok());  // the agent lost its state file; the baseline still knows
  std::string next = h.Write("b.aspx", "y");
  std::optional<v1::Event> e = h.WaitFor(Action::ACTION_CREATED, next);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->event_id(), EventId("agent-1", "fim:" + h.root(), 2));
}

TEST(FimRestartTest, UnknownStateAndDamagedBaselineAreErrors) {
  FimHarness h;
  EXPECT_TRUE(absl::IsInvalidArgument(h.Start("offset=12")));
  std::ofstream(h.config().baseline_path)
      << "tripline-fim-baseline 1\nseq 3\ncount 0\nchecksum 0\n";
  EXPECT_TRUE(absl::IsDataLoss(h.Start("")));
  h.config().roots = {"relative/path"};
  EXPECT_TRUE(absl::IsInvalidArgument(h.Start("")));
}

TEST(FimRestartTest, QueueOverflowTriggersARescanThatMissesNothing) {
  int max_queued = 0;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_queued;
  if (max_queued <= 0 || max_queued > 40000) GTEST_SKIP() << "max_queued_events " << max_queued;
  FimHarness h;
  ASSERT_TRUE(h.Start().ok());
  // Two events per file (IN_CREATE, IN_CLOSE_WRITE), none read meanwhile: the kernel queue
  // overflows and drops the rest.
  const int files = max_queued / 2 + 200;
  for (int i = 0; i < files; ++i) {
    std::ofstream(h.Path("f" + std::to_string(i) + ".aspx"));
  }
  std::set<std::string> created;
  ASSERT_TRUE(h.PollUntil(
      [&] {
        for (const v1::Event& e : h.events()) created.insert(e.file().path());
        return created.size() == static_cast<size_t>(files);
      },
      std::chrono::seconds(20)))
      << created.size() << " of " << files;
  EXPECT_GE(h.source().fim_counters().overflows, 1u);
  EXPECT_GE(h.source().fim_counters().rescans, 1u);
  EXPECT_EQ(h.events().size(), static_cast<size_t>(files));  // each file once
}

}  // namespace
}  // namespace tripline::agent
