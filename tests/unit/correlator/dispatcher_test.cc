#include "correlator/sinks/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "correlator/sinks/jsonl/jsonl_sink.h"

namespace tripline::correlator {
namespace {

// A receiver that is down for its first `down_for` flushes, then takes everything.
class FlakySink final : public AlertSink {
 public:
  explicit FlakySink(int down_for) : down_for_(down_for) {}
  const std::string& name() const override { return name_; }
  absl::Status Write(const v1::Alert& alert, const std::string&) override {
    buffered_.push_back(alert.alert_id());
    return absl::OkStatus();
  }
  absl::Status Flush(std::chrono::milliseconds) override {
    if (flushes_++ < down_for_) {
      buffered_.clear();
      return absl::UnavailableError("receiver down");
    }
    taken_.insert(taken_.end(), buffered_.begin(), buffered_.end());
    buffered_.clear();
    return absl::OkStatus();
  }
  const std::vector<std::string>& taken() const { return taken_; }

 private:
  std::string name_ = "flaky";
  int down_for_;
  int flushes_ = 0;
  std::vector<std::string> buffered_, taken_;
};

std::vector<v1::Alert> Alerts(int n) {
  std::vector<v1::Alert> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i)].set_alert_id("a" + std::to_string(i));
  return out;
}

std::vector<std::string> Json(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back("{\"id\":\"" + a.alert_id() + "\"}");
  return out;
}

DispatchPolicy Fast(bool drop) {
  DispatchPolicy p;
  p.drop_on_failure = drop;
  p.max_attempts = 3;
  p.backoff = std::chrono::milliseconds(10);
  return p;
}

TEST(AlertDispatcherTest, BlockRetriesASinkThatIsDownUntilItTakesTheBatch) {
  auto flaky = std::make_unique<FlakySink>(2);
  FlakySink* f = flaky.get();
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::move(flaky));
  int failures_seen = 0;
  AlertDispatcher d(std::move(sinks), Fast(false), nullptr, [&] { ++failures_seen; });
  auto alerts = Alerts(4);
  ASSERT_TRUE(d.Dispatch(alerts, Json(alerts)).ok());
  EXPECT_EQ(f->taken().size(), 4u);
  EXPECT_EQ(failures_seen, 2);
  const SinkCounters& c = d.counters().at("flaky");
  EXPECT_EQ(c.written, 4u);
  EXPECT_EQ(c.failures, 2u);
  EXPECT_EQ(c.dropped, 0u);
}

// /dev/full takes writes into the stdio buffer and fails every flush with ENOSPC: a real sink
// whose receiver never comes back.
TEST(AlertDispatcherTest, DropGivesUpOnADeadSinkAfterMaxAttemptsAndTheOthersStillGetTheBatch) {
  auto dead = JsonlSink::Open("/dev/full");
  ASSERT_TRUE(dead.ok()) << dead.status();
  std::string path = ::testing::TempDir() + "/dispatcher_drop.jsonl";
  std::filesystem::remove(path);
  auto good = JsonlSink::Open(path);
  ASSERT_TRUE(good.ok());
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(*std::move(dead));
  sinks.push_back(*std::move(good));
  AlertDispatcher d(std::move(sinks), Fast(true), nullptr);
  auto alerts = Alerts(5);
  ASSERT_TRUE(d.Dispatch(alerts, Json(alerts)).ok());
  EXPECT_TRUE(d.failing());
  // Both sinks are named jsonl; the counters add up per name: 5 dropped, 5 written.
  const SinkCounters& c = d.counters().at("jsonl");
  EXPECT_EQ(c.dropped, 5u);
  EXPECT_EQ(c.failures, 3u);
  EXPECT_EQ(c.written, 5u);
  std::ifstream in(path);
  int lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  EXPECT_EQ(lines, 5);
}

std::atomic<bool> g_stop{false};
bool Stop() { return g_stop.load(); }

TEST(AlertDispatcherTest, BlockGivesUpOnlyWhenStoppingAndSaysSo) {
  auto dead = JsonlSink::Open("/dev/full");
  ASSERT_TRUE(dead.ok());
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(*std::move(dead));
  int failures = 0;
  AlertDispatcher d(std::move(sinks), Fast(false), &Stop, [&] {
    if (++failures == 4) g_stop = true;  // still failing after 4 attempts: the operator stops
  });
  auto alerts = Alerts(2);
  absl::Status st = d.Dispatch(alerts, Json(alerts));
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(failures, 4);
  EXPECT_EQ(d.counters().at("jsonl").dropped, 0u) << "block never drops";
  g_stop = false;
}

}  // namespace
}  // namespace tripline::correlator
