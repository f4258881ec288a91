// The SigmaHQ process_creation rules, as shipped: what compiles, and why the rest does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <regex>

#include <yaml-cpp/yaml.h>

#include "correlator/engine/rule_loader.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

// "file:line: 'Image|expand': modifier ..." -> "modifier ..." with quoted names kept, so that
// reasons group by cause.
std::string Reason(const std::string& error) {
  static const std::regex kPrefix(R"(^[^:]+\.ya?ml:\d+: ('[^']*': )?)");
  return std::regex_replace(error, kPrefix, "");
}

TEST(SigmaHqCorpusTest, ProcessCreationRulesCompile) {
  const std::string dir =
      std::string(TRIPLINE_SHARED_DIR) + "/data/sigma/rules/windows/process_creation";
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths({dir});

  std::map<std::string, int> failed_files;
  std::map<std::string, int> reasons;
  static const std::regex kPosition(R"(^[^:]+\.ya?ml:\d+: .+)");
  for (const std::string& e : r.errors) {
    EXPECT_TRUE(std::regex_match(e, kPosition)) << "error without file:line: " << e;
    failed_files[e.substr(0, e.find(':'))]++;
    reasons[Reason(e)]++;
  }
  size_t compiled = r.rules->size();
  size_t total = compiled + failed_files.size();
  double share = total == 0 ? 0 : 100.0 * compiled / total;
  std::cout << "SigmaHQ process_creation: " << compiled << " of " << total << " rules compiled ("
            << share << "%)\n";
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [reason, count] : reasons) sorted.emplace_back(count, reason);
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& [count, reason] : sorted) std::cout << "  " << count << " x " << reason << "\n";
  EXPECT_GT(total, 1000u);
  EXPECT_GE(share, 95.0);
}

// Rule documents in `file` minus those that loaded from it (a file YAML cannot read counts as one).
size_t RejectedIn(const std::string& file, const RuleSet& rules) {
  size_t documents = 1;
  try {
    documents = 0;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(file)) documents += doc.IsNull() ? 0 : 1;
  } catch (const std::exception&) {
    documents = 1;
  }
  size_t loaded = 0;
  for (const auto& rule : rules.rules()) loaded += rule->metadata().file == file ? 1 : 0;
  return documents > loaded ? documents - loaded : 1;
}

// Every SigmaHQ rule (rules/, rules-emerging-threats/, rules-threat-hunting/): at least 99% load;
// the rest are rejected with a reason that names what the events lack.
TEST(SigmaHqCorpusTest, AtLeast99PercentOfAllRulesLoad) {
  const std::string dir = std::string(TRIPLINE_SHARED_DIR) + "/data/sigma";
  RuleLoader loader(&testing::ShippedFieldMap());
  LoadResult r = loader.LoadPaths({dir});

  std::map<std::string, int> failed_files;
  std::map<std::string, int> reasons;
  for (const std::string& e : r.errors) {
    failed_files[e.substr(0, e.find(':'))]++;
    reasons[Reason(e)]++;
  }
  size_t rejected = 0;
  for (const auto& [file, n] : failed_files) rejected += RejectedIn(file, *r.rules);
  size_t loaded = r.rules->size();
  size_t total = loaded + rejected;
  double share = total == 0 ? 0 : 100.0 * static_cast<double>(loaded) / static_cast<double>(total);
  std::cout << "SigmaHQ corpus: " << loaded << " of " << total << " rules loaded (" << share
            << "%), " << rejected << " rejected\n";
  for (const auto& [reason, count] : reasons) std::cout << "  " << count << " x " << reason << "\n";
  EXPECT_GT(total, 3500u);
  EXPECT_GE(share, 99.0);
}

}  // namespace
}  // namespace tripline::correlator::engine
