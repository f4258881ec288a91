// Runs SigmaHQ's regression set: every rule against the .evtx recorded to trigger it, read
// through the same EVTX path `tripline hunt` uses (EvtxSource -> Windows normalizer -> Engine).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "correlator/cli/event_reader.h"
#include "correlator/cli/rules_check.h"
#include "correlator/engine/engine.h"
#include "correlator/engine/rule_loader.h"

namespace tripline::correlator::cli {
namespace {
namespace fs = std::filesystem;

const std::string kSigmaDir = TRIPLINE_SIGMA_DIR;
const std::string kRegressionDir = TRIPLINE_SIGMA_REGRESSION_DIR;
constexpr double kMinHitRate = 1.0;  // every capture must fire its rule

// Sigma rule id -> rule file, from the top-level `id:` line of every .yml under the rules tree.
std::map<std::string, std::string> IndexRules() {
  std::map<std::string, std::string> index;
  for (const auto& entry : fs::recursive_directory_iterator(kSigmaDir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yml") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("id:", 0) != 0) continue;
      std::string id = line.substr(3);
      id.erase(0, id.find_first_not_of(" '\""));
      id.erase(id.find_last_not_of(" '\"\r") + 1);
      index.emplace(id, entry.path().string());
      break;
    }
  }
  return index;
}

struct Case {
  std::string info;
  std::string rule_id;
  std::vector<std::string> evtx;
};

std::vector<Case> LoadCases() {
  std::vector<std::string> infos;
  for (const auto& entry : fs::recursive_directory_iterator(kRegressionDir)) {
    if (entry.path().filename() == "info.yml") infos.push_back(entry.path().string());
  }
  std::sort(infos.begin(), infos.end());
  std::vector<Case> cases;
  for (const std::string& info : infos) {
    YAML::Node doc = YAML::LoadFile(info);
    std::vector<std::string> evtx;
    for (const YAML::Node& t : doc["regression_tests_info"]) {
      if (t["type"].as<std::string>("") == "evtx") {
        evtx.push_back(kRegressionDir + "/" + t["path"].as<std::string>());
      }
    }
    if (evtx.empty()) {  // fall back to the recordings beside info.yml
      for (const auto& f : fs::directory_iterator(fs::path(info).parent_path())) {
        if (f.path().extension() == ".evtx") evtx.push_back(f.path().string());
      }
    }
    for (const YAML::Node& m : doc["rule_metadata"]) {
      cases.push_back({info, m["id"].as<std::string>(), evtx});
    }
  }
  return cases;
}

// Why a rule did not fire: "" when it did; `reason_class` gets a short class for the summary.
std::string RunCase(const Case& c, const std::map<std::string, std::string>& index,
                    const engine::FieldMap& field_map, std::string* reason_class) {
  auto it = index.find(c.rule_id);
  if (it == index.end()) {
    *reason_class = "rule file not found";
    return "no rule file with id " + c.rule_id;
  }
  engine::LoadResult loaded = engine::RuleLoader(&field_map).LoadPaths({it->second});
  const engine::SigmaRule* rule = loaded.rules ? loaded.rules->FindById(c.rule_id) : nullptr;
  if (rule == nullptr) {
    std::string errors;
    for (const std::string& e : loaded.errors) errors += "\n      " + e;
    *reason_class =
        "compile: " + (loaded.errors.empty() ? std::string("?")
                                             : ParseProblem(loaded.errors[0]).reason_class);
    return "rule failed to compile:" + errors;
  }
  engine::Engine engine(loaded.rules);
  std::vector<v1::Alert> alerts;
  std::map<std::string, int> seen;  // "channel -> category/service" of the events read
  bool logsource_seen = false;
  agent::EmitFn emit = [&](const v1::Event& event) {
    engine.Process(event, &alerts);
    engine::EventLogsource ls = engine::DeriveLogsource(event);
    logsource_seen |= engine::LogsourceMatches(rule->metadata().logsource, ls);
    std::string channel = event.has_windows() ? event.windows().channel() : "(typed body)";
    ++seen[channel + " -> " + std::string(ls.category) + "/" + std::string(ls.service)];
    return absl::OkStatus();
  };
  for (const std::string& path : c.evtx) {
    absl::Status s = ReadEvtxFile(path, emit);
    if (!s.ok()) return "cannot read " + path + ": " + std::string(s.message());
  }
  if (!alerts.empty()) return "";
  *reason_class = c.evtx.empty()              ? "no evtx"
                  : engine.counters().events == 0 ? "no event read"
                  : logsource_seen            ? "no match: detection"
                                              : "no match: logsource (wanted " +
                                                    rule->metadata().logsource.ToString() + ")";
  std::string detail = "no event matched: " + std::to_string(engine.counters().events) +
                       " events read;";
  for (const auto& [channel, n] : seen) detail += " " + channel + " x" + std::to_string(n) + ";";
  return detail;
}

TEST(SigmaRegressionTest, RulesFireOnTheirRecordings) {
  ASSERT_TRUE(fs::exists(kRegressionDir)) << kRegressionDir;
  std::vector<std::string> field_map_errors;
  engine::FieldMap field_map =
      engine::FieldMap::LoadFile(TRIPLINE_REPO_DIR "/config/field_map.yaml", &field_map_errors);
  ASSERT_TRUE(field_map_errors.empty()) << field_map_errors[0];
  std::map<std::string, std::string> index = IndexRules();
  std::vector<Case> cases = LoadCases();
  ASSERT_FALSE(cases.empty());

  size_t hits = 0, misses = 0;
  std::map<std::string, int> by_reason;
  for (const Case& c : cases) {
    std::string reason_class;
    std::string why = RunCase(c, index, field_map, &reason_class);
    if (why.empty()) {
      ++hits;
      continue;
    }
    ++misses;
    ++by_reason[reason_class];
    std::printf("MISS %s (%s)\n  %s\n", c.rule_id.c_str(),
                fs::relative(c.info, kRegressionDir).parent_path().c_str(), why.c_str());
  }
  double rate = static_cast<double>(hits) / static_cast<double>(cases.size());
  std::printf("Sigma regression: %zu/%zu rules fired (%.1f%%), %zu misses\n", hits, cases.size(),
              rate * 100.0, misses);
  for (const auto& [reason, n] : by_reason) std::printf("  %3d  %s\n", n, reason.c_str());
  EXPECT_EQ(hits + misses, cases.size());
  EXPECT_GE(rate, kMinHitRate);
}

}  // namespace
}  // namespace tripline::correlator::cli
