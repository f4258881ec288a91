// The SigmaHQ process_creation rules, as shipped: what compiles, and why the rest does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <regex>

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

}  // namespace
}  // namespace tripline::correlator::engine
