// The outbox of a remote sink: alerts wait on disk while the receiver is down, arrive once it is
// back, survive a restart, and the quota either holds the dispatcher back or drops what it counts.
#include "correlator/sinks/outbox/outbox_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "correlator/correlator_config.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline::correlator {
namespace {

using namespace std::chrono_literals;

// A receiver the test turns off and on. What it took is shared with the test (the outbox owns
// the sink and calls it on its own thread).
struct Receiver {
  std::mutex mu;
  std::vector<std::string> ids;  // every alert id taken, duplicates included
  std::vector<std::string> json;
  std::atomic<bool> up{true};
  std::atomic<int> attempts{0};
};

class FakeSink final : public AlertSink {
 public:
  explicit FakeSink(Receiver* r) : r_(r) {}
  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string& ecs_json) override {
    pending_.emplace_back(alert.alert_id(), ecs_json);
    return absl::OkStatus();
  }
  absl::Status Flush(std::chrono::milliseconds) override {
    ++r_->attempts;
    auto batch = std::move(pending_);
    pending_.clear();
    if (!r_->up) return absl::UnavailableError("receiver down");
    std::lock_guard lock(r_->mu);
    for (auto& [id, j] : batch) {
      r_->ids.push_back(id);
      r_->json.push_back(j);
    }
    return absl::OkStatus();
  }

 private:
  Receiver* r_;
  std::string name_ = "fake";
  std::vector<std::pair<std::string, std::string>> pending_;
};

v1::Alert MakeAlert(int i) {
  v1::Alert a;
  a.set_alert_id("alert-" + std::to_string(i));
  a.mutable_rule()->set_title("rule");
  return a;
}

OutboxConfig Config(const testing::TempDir& dir) {
  OutboxConfig c;
  c.dir = dir.path();
  c.backoff = 20ms;
  c.max_backoff = 100ms;
  c.drain_on_stop = 0ms;
  return c;
}

size_t Taken(Receiver& r) {
  std::lock_guard lock(r.mu);
  return r.ids.size();
}

std::set<std::string> Distinct(Receiver& r) {
  std::lock_guard lock(r.mu);
  return {r.ids.begin(), r.ids.end()};
}

absl::Status WriteAlerts(OutboxSink& sink, int from, int to) {
  for (int i = from; i < to; ++i) {
    TRIPLINE_RETURN_IF_ERROR(sink.Write(MakeAlert(i), "{\"n\":" + std::to_string(i) + "}"));
  }
  return sink.Flush(1s);
}

TEST(OutboxSink, DeliversWhatWasWrittenWithItsEcsDocument) {
  testing::TempDir dir;
  Receiver r;
  auto sink = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE(WriteAlerts(**sink, 0, 50).ok());
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return Taken(r) == 50; })) << Taken(r);
  EXPECT_EQ(r.ids.front(), "alert-0");
  EXPECT_EQ(r.json[49], "{\"n\":49}");
  EXPECT_TRUE(testing::WaitUntil(2s, [&] { return (*sink)->stats().pending == 0; }));
  EXPECT_EQ((*sink)->stats().delivered, 50u);
}

TEST(OutboxSink, HoldsAlertsWhileTheReceiverIsDownAndDeliversThemAfter) {
  testing::TempDir dir;
  Receiver r;
  r.up = false;
  auto sink = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
  ASSERT_TRUE(sink.ok());
  // The dispatcher's side succeeds although the receiver is down: the alerts are on disk.
  ASSERT_TRUE(WriteAlerts(**sink, 0, 100).ok());
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return r.attempts >= 3; }));
  OutboxStats down = (*sink)->stats();
  EXPECT_TRUE(down.failing);
  EXPECT_EQ(down.pending, 100u);
  EXPECT_GT(down.bytes, 0u);
  EXPECT_GE(down.failures, 3u);
  r.up = true;
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return Distinct(r).size() == 100; }));
  EXPECT_EQ(Taken(r), 100u) << "a failed attempt took nothing, so nothing is sent twice";
  EXPECT_TRUE(testing::WaitUntil(2s, [&] { return !(*sink)->stats().failing; }));
}

TEST(OutboxSink, UndeliveredAlertsSurviveARestartAndDeliveredOnesAreNotSentAgain) {
  testing::TempDir dir;
  Receiver r;
  {
    auto sink = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE(WriteAlerts(**sink, 0, 30).ok());
    ASSERT_TRUE(testing::WaitUntil(5s, [&] { return (*sink)->stats().pending == 0; }));
    r.up = false;
    ASSERT_TRUE(WriteAlerts(**sink, 30, 70).ok());
  }  // stopped with 40 undelivered
  r.up = true;
  auto again = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return Distinct(r).size() == 70; })) << Taken(r);
  EXPECT_EQ(Taken(r), 70u);
}

TEST(OutboxSink, ASecondOwnerOfTheSameFolderGetsItsOwn) {
  testing::TempDir dir;
  Receiver r;
  auto first = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
  auto second = OutboxSink::Open(std::make_unique<FakeSink>(&r), Config(dir));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)->dir(), dir.path() + "/fake");
  EXPECT_EQ((*second)->dir(), dir.path() + "/fake.2");
}

TEST(OutboxSink, BlockPolicyRefusesAtTheQuotaAndLosesNothing) {
  testing::TempDir dir;
  Receiver r;
  r.up = false;
  OutboxConfig c = Config(dir);
  c.max_bytes = 64 * 1024;
  auto sink = OutboxSink::Open(std::make_unique<FakeSink>(&r), c);
  ASSERT_TRUE(sink.ok());
  const std::string big(1000, 'x');
  int accepted = 0;
  absl::Status st;
  while (accepted < 1000 && (st = (*sink)->Write(MakeAlert(accepted), big)).ok()) ++accepted;
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_LT(accepted, 70);
  ASSERT_TRUE((*sink)->Flush(1s).ok());
  r.up = true;
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return Distinct(r).size() == size_t(accepted); }));
  EXPECT_EQ((*sink)->stats().dropped, 0u);
  // Room again once delivered.
  EXPECT_TRUE((*sink)->Write(MakeAlert(5000), big).ok());
}

TEST(OutboxSink, DropOldestDropsExactlyWhatItCounts) {
  testing::TempDir dir;
  Receiver r;
  r.up = false;
  OutboxConfig c = Config(dir);
  c.max_bytes = 64 * 1024;
  c.full_policy = spool::SpoolConfig::FullPolicy::kDropOldest;
  c.backoff = 5s;  // keep the delivery thread from reading ahead while the quota is hit
  auto sink = OutboxSink::Open(std::make_unique<FakeSink>(&r), c);
  ASSERT_TRUE(sink.ok());
  const std::string big(1000, 'x');
  for (int i = 0; i < 300; ++i) ASSERT_TRUE((*sink)->Write(MakeAlert(i), big).ok());
  ASSERT_TRUE((*sink)->Flush(1s).ok());
  OutboxStats s = (*sink)->stats();
  EXPECT_GT(s.dropped, 0u);
  sink->reset();  // stop; reopen with the receiver up
  r.up = true;
  c.backoff = 20ms;
  auto again = OutboxSink::Open(std::make_unique<FakeSink>(&r), c);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(testing::WaitUntil(5s, [&] { return (*again)->stats().pending == 0; }));
  std::set<std::string> got = Distinct(r);
  // Every alert is either delivered or counted as dropped, and the newest ones are the survivors.
  EXPECT_EQ(got.size() + s.dropped, 300u) << got.size() << " delivered, " << s.dropped << " dropped";
  EXPECT_TRUE(got.count("alert-299"));
  EXPECT_FALSE(got.count("alert-0"));
}

TEST(OutboxSink, RecordsRoundTrip) {
  v1::Alert a = MakeAlert(7);
  a.add_event_ids("e1");
  std::string value = OutboxSink::Encode(a, "{\"x\":1}");
  v1::Alert b;
  std::string json;
  ASSERT_TRUE(OutboxSink::Decode(value, &b, &json));
  EXPECT_EQ(b.alert_id(), "alert-7");
  EXPECT_EQ(b.event_ids(0), "e1");
  EXPECT_EQ(json, "{\"x\":1}");
  EXPECT_FALSE(OutboxSink::Decode(value.substr(0, 6), &b, &json));
  EXPECT_FALSE(OutboxSink::Decode("ab", &b, &json));
}

TEST(OutboxConfig, ReadFromOutputsWithItsDefaultUnderTheStateDir) {
  testing::TempDir dir;
  const std::string head = "kafka: {brokers: 127.0.0.1:9092}\n"
                           "rules: {paths: [r], field_map: fm.yaml}\n"
                           "correlator: {state_dir: /var/lib/t}\n";
  auto c = LoadCorrelatorConfig(dir.Write("a.yaml", head));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->outbox.enabled);
  EXPECT_EQ(c->outbox.dir, "/var/lib/t/outbox");
  c = LoadCorrelatorConfig(dir.Write(
      "b.yaml", head + "outputs:\n  outbox: {dir: ob, max_bytes: 1048576, full_policy: drop_oldest}\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->outbox.dir, dir.path() + "/ob");
  EXPECT_EQ(c->outbox.max_bytes, 1048576u);
  EXPECT_EQ(c->outbox.full_policy, spool::SpoolConfig::FullPolicy::kDropOldest);
  std::string bad = dir.Write("c.yaml", head + "outputs:\n  outbox:\n    full_policy: newest\n    size: 3\n");
  c = LoadCorrelatorConfig(bad);
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_NE(msg.find(bad + ":6: outputs.outbox.full_policy: must be block"), std::string::npos) << msg;
  EXPECT_NE(msg.find(bad + ":7: outputs.outbox.size: unknown key"), std::string::npos) << msg;
}

}  // namespace
}  // namespace tripline::correlator
