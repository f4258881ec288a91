// The literal prefilter must never hide a match: over every record of SigmaHQ's regression EVTX
// captures (and an upper-cased copy of each, since Sigma is case-insensitive), the rules the
// engine evaluates after the prefilter match exactly the events that evaluating every rule of
// the event's logsource matches.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/ascii.h"
#include "correlator/cli/event_reader.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"

namespace tripline::correlator::cli {
namespace {
namespace fs = std::filesystem;

std::vector<v1::Event> RegressionEvents() {
  std::vector<std::string> files;
  for (const auto& entry :
       fs::recursive_directory_iterator(TRIPLINE_SIGMA_REGRESSION_DIR)) {
    if (entry.path().extension() == ".evtx") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<v1::Event> events;
  for (const std::string& f : files) {
    (void)ReadEvtxFile(f, [&](const v1::Event& e) {
      events.push_back(e);
      v1::Event upper = e;  // the same record as a tool that upper-cases paths would log it
      if (upper.has_process()) {
        auto* p = upper.mutable_process()->mutable_process();
        absl::AsciiStrToUpper(p->mutable_executable());
        absl::AsciiStrToUpper(p->mutable_command_line());
      }
      if (upper.has_windows()) {
        for (auto& [key, value] : *upper.mutable_windows()->mutable_data()) {
          absl::AsciiStrToUpper(&value);
        }
      }
      events.push_back(std::move(upper));
      return absl::OkStatus();
    });
  }
  return events;
}

TEST(PrefilterEquivalenceTest, PrefilterNeverHidesAMatchOfTheSigmaHqWindowsRules) {
  std::vector<std::string> errors;
  engine::FieldMap field_map =
      engine::FieldMap::LoadFile(TRIPLINE_REPO_DIR "/config/field_map.yaml", &errors);
  ASSERT_TRUE(errors.empty()) << errors[0];
  engine::LoadResult loaded =
      engine::RuleLoader(&field_map).LoadPaths({TRIPLINE_SIGMA_DIR "/rules/windows"});
  ASSERT_GT(loaded.rules->rules().size(), 2000u);
  const engine::RuleSet& rules = *loaded.rules;
  EXPECT_GT(rules.prefilter().filtered_rules(), rules.rules().size() * 9 / 10)
      << "most rules should sit behind literals";

  std::vector<v1::Event> events = RegressionEvents();
  ASSERT_GT(events.size(), 1000u);
  engine::MatchScratch scratch;
  size_t matches = 0, evaluated = 0, candidates_all = 0;
  for (const v1::Event& event : events) {
    engine::EventLogsource logsource = engine::DeriveLogsource(event);
    std::set<const engine::SigmaRule*> every, filtered;
    for (const auto& rule : rules.rules()) {
      if (!engine::LogsourceMatches(rule->metadata().logsource, logsource)) continue;
      ++candidates_all;
      if (rule->Matches(event, &scratch)) every.insert(rule.get());
    }
    rules.Prefilter(event, logsource, &scratch.prefilter);
    rules.ForEachCandidate(logsource, scratch.prefilter, [&](const engine::SigmaRule& rule) {
      ++evaluated;
      if (rule.Matches(event, &scratch)) filtered.insert(&rule);
    });
    ASSERT_EQ(every, filtered) << "event " << event.event_id() << ": " << event.ShortDebugString();
    matches += every.size();
  }
  std::printf("%zu events, %zu rule matches; rules evaluated: %zu with the prefilter, %zu "
              "without\n", events.size(), matches, evaluated, candidates_all);
  EXPECT_GT(matches, events.size() / 4) << "the captures are recorded to fire rules";
  EXPECT_LT(evaluated * 5, candidates_all) << "the prefilter should skip most rules";
}

}  // namespace
}  // namespace tripline::correlator::cli
