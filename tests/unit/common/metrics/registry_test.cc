#include "common/metrics/registry.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tripline::metrics {
namespace {

TEST(RegistryTest, EmptyRegistryRendersNothing) { EXPECT_EQ(Registry().Render(), ""); }

TEST(RegistryTest, RendersGoldenText) {
  Registry registry;
  const char* drops_help = "Records dropped, by reason.";
  Counter* quota = *registry.AddCounter("tripline_agent_drops", drops_help, {{"reason", "quota"}});
  Counter* too_long =
      *registry.AddCounter("tripline_agent_drops", drops_help, {{"reason", "line_too_long"}});
  quota->Inc(3);
  too_long->Inc();

  Gauge* lag =
      *registry.AddGauge("tripline_agent_file_lag_bytes", "Help with \\ backslash\nand newline.",
                         {{"path", "C:\\logs\\\"x\".log\nnext"}, {"host", "ex01"}});
  lag->Set(1234);
  ASSERT_TRUE(registry.AddGaugeFn("tripline_agent_spool_age_seconds", "Age.", {}, [] {
    return 2.5;
  }).ok());
  for (const auto& [kind, value] : {std::pair{"nan", std::numeric_limits<double>::quiet_NaN()},
                                    std::pair{"inf", std::numeric_limits<double>::infinity()},
                                    std::pair{"neg", -std::numeric_limits<double>::infinity()}}) {
    (*registry.AddGauge("tripline_test_special", "", {{"kind", kind}}))->Set(value);
  }
  Histogram* delivery = *registry.AddHistogram("tripline_agent_delivery_seconds",
                                               "Delivery latency.", {0.005, 0.5, 1},
                                               {{"sink", "kafka"}});
  for (double v : {0.25, 0.5, 0.75, 3.0}) {
    delivery->Observe(v);
  }

  EXPECT_EQ(registry.Render(), R"(# HELP tripline_agent_delivery_seconds Delivery latency.
# TYPE tripline_agent_delivery_seconds histogram
tripline_agent_delivery_seconds_bucket{sink="kafka",le="0.005"} 0
tripline_agent_delivery_seconds_bucket{sink="kafka",le="0.5"} 2
tripline_agent_delivery_seconds_bucket{sink="kafka",le="1"} 3
tripline_agent_delivery_seconds_bucket{sink="kafka",le="+Inf"} 4
tripline_agent_delivery_seconds_sum{sink="kafka"} 4.5
tripline_agent_delivery_seconds_count{sink="kafka"} 4
# HELP tripline_agent_drops_total Records dropped, by reason.
# TYPE tripline_agent_drops_total counter
tripline_agent_drops_total{reason="line_too_long"} 1
tripline_agent_drops_total{reason="quota"} 3
# HELP tripline_agent_file_lag_bytes Help with \\ backslash\nand newline.
# TYPE tripline_agent_file_lag_bytes gauge
tripline_agent_file_lag_bytes{path="C:\\logs\\\"x\".log\nnext",host="ex01"} 1234
# HELP tripline_agent_spool_age_seconds Age.
# TYPE tripline_agent_spool_age_seconds gauge
tripline_agent_spool_age_seconds 2.5
# TYPE tripline_test_special gauge
tripline_test_special{kind="inf"} +Inf
tripline_test_special{kind="nan"} NaN
tripline_test_special{kind="neg"} -Inf
)");
}

TEST(RegistryTest, CounterSuffixIsNotDoubled) {
  Registry registry;
  (*registry.AddCounter("x_total", "h"))->Inc(2);
  EXPECT_EQ(registry.Render(), "# HELP x_total h\n# TYPE x_total counter\nx_total 2\n");
  // "x" and "x_total" are the same family.
  EXPECT_EQ(registry.AddCounter("x", "h").status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(RegistryTest, HistogramWithoutBoundsAndNaN) {
  Registry registry;
  Histogram* h = *registry.AddHistogram("h", "", {std::numeric_limits<double>::infinity()});
  h->Observe(1);
  h->Observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(registry.Render(),
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum NaN\nh_count 2\n");
}

TEST(RegistryTest, GaugeFnIsEvaluatedAtEachRender) {
  Registry registry;
  std::atomic<int> calls{0};
  ASSERT_TRUE(registry.AddGaugeFn("g", "", {}, [&calls] { return double(++calls); }).ok());
  EXPECT_EQ(registry.Render(), "# TYPE g gauge\ng 1\n");
  EXPECT_EQ(registry.Render(), "# TYPE g gauge\ng 2\n");
}

TEST(RegistryTest, RejectsBadRegistrations) {
  Registry registry;
  ASSERT_TRUE(registry.AddGauge("g", "help", {{"a", "1"}}).ok());
  ASSERT_TRUE(registry.AddHistogram("lat", "help", {1, 2}).ok());
  struct Case {
    const char* what;
    absl::Status status;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {"bad metric name", registry.AddCounter("1bad", "").status(),
       absl::StatusCode::kInvalidArgument},
      {"bad label name", registry.AddGauge("g2", "", {{"a-b", "1"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"reserved label", registry.AddGauge("g2", "", {{"__x", "1"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"duplicate label", registry.AddGauge("g2", "", {{"a", "1"}, {"a", "2"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"same label set", registry.AddGauge("g", "help", {{"a", "1"}}).status(),
       absl::StatusCode::kAlreadyExists},
      {"other type", registry.AddGauge("lat", "help").status(),
       absl::StatusCode::kAlreadyExists},
      {"other help", registry.AddGauge("g", "other", {{"a", "2"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"other label names", registry.AddGauge("g", "help", {{"b", "2"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"other bounds", registry.AddHistogram("lat", "help", {1, 3}, {{"a", "1"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"le label", registry.AddHistogram("h2", "", {1}, {{"le", "1"}}).status(),
       absl::StatusCode::kInvalidArgument},
      {"unsorted bounds", registry.AddHistogram("h2", "", {2, 1}).status(),
       absl::StatusCode::kInvalidArgument},
      {"NaN bound", registry.AddHistogram("h2", "", {std::nan("")}).status(),
       absl::StatusCode::kInvalidArgument},
      {"sample name collision", registry.AddGauge("lat_count", "").status(),
       absl::StatusCode::kAlreadyExists},
      {"empty callback", registry.AddGaugeFn("g3", "", {}, nullptr),
       absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.status.code(), c.code) << c.what << ": " << c.status;
  }
  // The failures registered nothing.
  EXPECT_EQ(registry.Render().find("g2"), std::string::npos);
  EXPECT_EQ(registry.Render().find("h2"), std::string::npos);
}

TEST(RegistryTest, ErrorsNameTheMetric) {
  Registry registry;
  absl::Status st = registry.AddGauge("tripline_x", "", {{"a:b", "1"}}).status();
  EXPECT_NE(st.message().find("tripline_x"), std::string_view::npos) << st;
  EXPECT_NE(st.message().find("a:b"), std::string_view::npos) << st;
}

TEST(RegistryTest, ConcurrentUpdatesSumExactly) {
  Registry registry;
  Counter* counter = *registry.AddCounter("events", "");
  Gauge* gauge = *registry.AddGauge("inflight", "");
  Histogram* histogram = *registry.AddHistogram("size", "", {10, 100});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200'000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) {
      ASSERT_FALSE(registry.Render().empty());
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter->Inc();
        gauge->Add(1);
        histogram->Observe(t % 2 == 0 ? 5.0 : 50.0);
      }
    });
  }
  for (std::thread& w : writers) w.join();
  done = true;
  scraper.join();

  constexpr uint64_t kTotal = uint64_t{kThreads} * kPerThread;
  EXPECT_EQ(counter->Value(), kTotal);
  EXPECT_EQ(gauge->Value(), double(kTotal));
  Histogram::Snapshot snap = histogram->TakeSnapshot();
  EXPECT_EQ(snap.count, kTotal);
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{kTotal / 2, kTotal, kTotal}));
  EXPECT_EQ(snap.sum, 5.0 * (kTotal / 2) + 50.0 * (kTotal / 2));
  EXPECT_NE(registry.Render().find("events_total 800000\n"), std::string::npos);
}

TEST(RegistryTest, BucketHelpers) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(LinearBuckets(0.5, 0.5, 3), (std::vector<double>{0.5, 1, 1.5}));
}

}  // namespace
}  // namespace tripline::metrics
