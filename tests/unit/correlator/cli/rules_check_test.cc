#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <iostream>
#include <sstream>

#include "correlator/cli/cli.h"
#include "correlator/cli/rules_check.h"
#include "test_dir.h"

namespace tripline::correlator::cli {
namespace {

const std::string kFieldMap = TRIPLINE_REPO_DIR "/config/field_map.yaml";

constexpr char kGoodRule[] = R"(title: Web Shell Request
id: 11111111-1111-1111-1111-111111111111
logsource:
  category: webserver
  product: windows
detection:
  selection:
    cs-uri-stem|endswith: .aspx
  condition: selection
level: high
)";

// Line 7 names a field the webserver section does not map; line 8 an unknown identifier.
constexpr char kBadRule[] = R"(title: Broken Rule
id: 22222222-2222-2222-2222-222222222222
logsource:
  category: webserver
  product: windows
detection:
  selection:
    cs-uri-stem|nosuchmodifier: .aspx
  condition: selection and missing
level: high
)";

TEST(RulesCheckTest, AllGoodExitsZero) {
  TestDir dir;
  dir.Write("good.yml", kGoodRule);
  CliRun r = Cli({"rules", "check", dir.path(), "--field-map", kFieldMap});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 loaded, 0 rejected (100.0% of 1 rules loaded)"), std::string::npos)
      << r.out;
}

TEST(RulesCheckTest, BadRuleIsListedWithFileAndLine) {
  TestDir dir;
  dir.Write("good.yml", kGoodRule);
  std::string bad = dir.Write("sub/bad.yml", kBadRule);
  CliRun r = Cli({"rules", "check", dir.path(), "--field-map", kFieldMap});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find(bad + ":8: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(bad + ":9: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 loaded, 1 rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("modifier: 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("condition: 1"), std::string::npos) << r.out;
}

TEST(RulesCheckTest, JsonSummary) {
  TestDir dir;
  dir.Write("good.yml", kGoodRule);
  std::string bad = dir.Write("bad.yml", kBadRule);
  CliRun r = Cli({"rules", "check", dir.path(), "--field-map", kFieldMap, "--json"});
  EXPECT_EQ(r.code, 1);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["loaded"], 1);
  EXPECT_EQ(doc["rejected"], 1);
  ASSERT_FALSE(doc["problems"].empty());
  EXPECT_EQ(doc["problems"][0]["file"], bad);
  EXPECT_EQ(doc["problems"][0]["line"], 8);
}

// The whole SigmaHQ tree: at least 99% load, and every rule turned away is listed with its file,
// line and a reason.
TEST(RulesCheckTest, SigmaHqTreeLoadsAtLeast99Percent) {
  CliRun r = Cli({"rules", "check", TRIPLINE_SIGMA_DIR, "--field-map", kFieldMap, "--json"});
  EXPECT_EQ(r.code, 1) << r.err;  // a few are rejected
  auto doc = nlohmann::json::parse(r.out);
  int loaded = doc["loaded"], rejected = doc["rejected"];
  std::cout << "tripline rules check SigmaHQ: " << loaded << " loaded, " << rejected
            << " rejected\n";
  EXPECT_GT(loaded + rejected, 3500);
  EXPECT_GE(doc["loaded_percent"].get<double>(), 99.0);
  EXPECT_GE(doc["problems"].size(), static_cast<size_t>(rejected));
  for (const auto& p : doc["problems"]) {
    EXPECT_GT(p["line"].get<int>(), 0) << p.dump();
    EXPECT_FALSE(p["reason"].get<std::string>().empty()) << p.dump();
  }
}

TEST(RulesCheckTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({}).code, 2);
  EXPECT_EQ(Cli({"rules", "check"}).code, 2);
  EXPECT_EQ(Cli({"rules", "check", "x.yml", "--bogus"}).code, 2);
  EXPECT_EQ(Cli({"rules", "check", "x.yml", "--field-map", "/nonexistent/map.yaml"}).code, 2);
  EXPECT_EQ(Cli({"hunt", "x.log"}).code, 2);  // --rules is required
}

TEST(RulesCheckTest, MissingRulePathIsReported) {
  CliRun r = Cli({"rules", "check", "/nonexistent/rules", "--field-map", kFieldMap});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("/nonexistent/rules: "), std::string::npos) << r.out;
}

TEST(RulesCheckTest, ParseProblemSplitsPosition) {
  RuleProblem p = ParseProblem("/r/a.yml:12: unknown field 'Foo' for logsource x");
  EXPECT_EQ(p.file, "/r/a.yml");
  EXPECT_EQ(p.line, 12);
  EXPECT_EQ(p.reason_class, "field");
  RuleProblem q = ParseProblem("/r/b.yml: cannot read rule file");
  EXPECT_EQ(q.file, "/r/b.yml");
  EXPECT_EQ(q.line, 0);
  EXPECT_EQ(q.reason_class, "io");
}

TEST(RulesCheckTest, DefaultFieldMapFallsBackToTheRepository) {
  EXPECT_EQ(ResolveFieldMapPath("/x/map.yaml"), "/x/map.yaml");
  std::string resolved = ResolveFieldMapPath("");
  EXPECT_TRUE(std::filesystem::exists(resolved)) << resolved;
}

}  // namespace
}  // namespace tripline::correlator::cli
