#include "common/metrics/text_format.h"

#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace tripline::metrics {
namespace {

TEST(TextFormatTest, MetricNames) {
  for (const char* good : {"a", "_", ":", "tripline_agent_lag_bytes", "job:rate5m", "A1_b2:c3"}) {
    EXPECT_TRUE(ValidateMetricName(good).ok()) << good;
  }
  for (const char* bad : {"", "1abc", "a-b", "a b", "a.b", "caf\xc3\xa9", "a\n"}) {
    absl::Status st = ValidateMetricName(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ValidateMetricName("a-b").message().find("\"a-b\""), std::string_view::npos);
}

TEST(TextFormatTest, LabelNames) {
  for (const char* good : {"a", "_", "_a", "path", "sink_2"}) {
    EXPECT_TRUE(ValidateLabelName(good).ok()) << good;
  }
  for (const char* bad : {"", "1a", "a:b", "a-b", "__name__", "__"}) {
    EXPECT_EQ(ValidateLabelName(bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ValidateLabelName("__x").message().find("reserves"), std::string_view::npos);
}

TEST(TextFormatTest, EscapesHelpAndLabelValues) {
  std::string help;
  AppendEscapedHelp("a\\b\nc\"d", help);
  EXPECT_EQ(help, R"(a\\b\nc"d)");  // quotes stay as they are in HELP

  std::string value;
  AppendEscapedLabelValue("a\\b\nc\"d", value);
  EXPECT_EQ(value, R"(a\\b\nc\"d)");
}

TEST(TextFormatTest, FormatsDoubles) {
  struct Case {
    double in;
    const char* out;
  };
  const Case cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-3.0, "-3"},
      {1234.0, "1234"},
      {1e15, "1000000000000000"},
      {9007199254740992.0, "9007199254740992"},  // 2^53, the last exact integer
      {1e20, "1e+20"},
      {0.5, "0.5"},
      {0.1, "0.1"},
      {-2.25, "-2.25"},
      {1.5e-7, "1.5e-07"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatValue(c.in), c.out) << c.out;
  }
}

TEST(TextFormatTest, FormatsIntegersWithoutExponent) {
  std::string out;
  AppendValue(std::numeric_limits<uint64_t>::max(), out);
  EXPECT_EQ(out, "18446744073709551615");
  out.clear();
  AppendValue(uint64_t{0}, out);
  EXPECT_EQ(out, "0");
}

TEST(TextFormatTest, ShortestFormRoundTrips) {
  for (double v : {0.1 + 0.2, 1.0 / 3.0, 123456.789, 6.02214076e23, 5e-324}) {
    std::string text = FormatValue(v);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;  // stod rejects denormals
  }
}

}  // namespace
}  // namespace tripline::metrics
