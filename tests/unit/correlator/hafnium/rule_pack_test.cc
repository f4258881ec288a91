// The pack as a whole: it loads cleanly through the loader `tripline rules check` uses, every rule
// document carries the metadata an analyst needs (read from the YAML itself), and every rule has
// at least one positive test.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "correlator/cli/rules_check.h"
#include "expectations.h"

namespace tripline::correlator::hafnium_test {
namespace {

namespace fs = std::filesystem;

struct RuleDoc {
  std::string file;
  YAML::Node doc;
};

std::vector<RuleDoc> PackDocuments() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kPackDir)) {
    if (entry.path().extension() == ".yml" || entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<RuleDoc> docs;
  for (const std::string& f : files) {
    for (const YAML::Node& doc : YAML::LoadAllFromFile(f)) {
      if (!doc.IsNull()) docs.push_back({fs::path(f).filename().string(), doc});
    }
  }
  return docs;
}

// The scalar under `key`, "" when absent or not a scalar.
std::string Text(const YAML::Node& doc, const char* key) {
  const YAML::Node node = doc[key];
  return node && node.IsScalar() ? node.Scalar() : "";
}

std::vector<std::string> StringList(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node || !node.IsSequence()) return out;
  for (const YAML::Node& item : node) {
    if (item.IsScalar() && !item.Scalar().empty()) out.push_back(item.Scalar());
  }
  return out;
}

const std::set<std::string>& AttackTactics() {
  static const std::set<std::string> kTactics = {
      "reconnaissance", "resource-development", "initial-access",   "execution",
      "persistence",    "privilege-escalation", "defense-evasion",  "credential-access",
      "discovery",      "lateral-movement",     "collection",       "command-and-control",
      "exfiltration",   "impact"};
  return kTactics;
}

// The sources the reference names for this intrusion: the CVE advisories, Microsoft's
// CSS-Exchange (Test-ProxyLogon, EOMT), Microsoft's blog and hunting queries, Volexity.
bool IsPrimarySource(const std::string& url) {
  for (const char* prefix :
       {"https://msrc.microsoft.com/update-guide/vulnerability/CVE-2021-",
        "https://github.com/microsoft/CSS-Exchange/",
        "https://www.microsoft.com/en-us/security/blog/",
        "https://github.com/microsoft/Microsoft-365-Defender-Hunting-Queries/",
        "https://www.volexity.com/blog/"}) {
    if (url.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

TEST(RulePackTest, LoadsWithoutAnyProblem) {
  const engine::LoadResult& pack = Pack();
  for (const std::string& e : pack.errors) ADD_FAILURE() << e;
  ASSERT_NE(pack.rules, nullptr);
  const size_t rules = pack.rules->size() + pack.rules->correlations().size();
  EXPECT_GE(rules, 28u);
  EXPECT_EQ(rules, PackDocuments().size()) << "every document of the pack is one loaded rule";
}

TEST(RulePackTest, RulesCheckCommandAcceptsThePack) {
  std::ostringstream out;
  cli::RulesCheckOptions options;
  options.paths = {kPackDir};
  EXPECT_EQ(cli::RunRulesCheck(options, FieldMapForTests(), out), 0) << out.str();
  EXPECT_NE(out.str().find(" 0 rejected"), std::string::npos) << out.str();
}

// The pack ships beside the demo rules: ids must stay unique when both load together.
TEST(RulePackTest, LoadsTogetherWithTheOtherShippedRules) {
  engine::RuleLoader loader(&FieldMapForTests());
  engine::LoadResult all = loader.LoadPaths({kRepoDir + "/config/rules"});
  for (const std::string& e : all.errors) ADD_FAILURE() << e;
}

TEST(RulePackTest, EveryRuleCarriesItsMetadata) {
  static const std::regex kUuid(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  static const std::regex kTechnique("^attack\\.t[0-9]{4}(\\.[0-9]{3})?$");
  static const std::set<std::string> kLevels = {"informational", "low", "medium", "high",
                                                "critical"};
  std::set<std::string> ids;
  for (const RuleDoc& r : PackDocuments()) {
    SCOPED_TRACE(r.file);
    const std::string id = Text(r.doc, "id");
    EXPECT_TRUE(std::regex_match(id, kUuid)) << "id '" << id << "' is not a random UUID";
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    EXPECT_FALSE(Text(r.doc, "title").empty());
    EXPECT_GE(Text(r.doc, "description").size(), 80u) << "a description says why it matters";
    EXPECT_TRUE(kLevels.count(Text(r.doc, "level"))) << "level '" << Text(r.doc, "level") << "'";

    const std::vector<std::string> tags = StringList(r.doc["tags"]);
    bool technique = false, tactic = false;
    for (const std::string& t : tags) {
      technique = technique || std::regex_match(t, kTechnique);
      tactic = tactic || (t.rfind("attack.", 0) == 0 && AttackTactics().count(t.substr(7)));
    }
    EXPECT_TRUE(technique) << "no attack.tNNNN tag";
    EXPECT_TRUE(tactic) << "no ATT&CK tactic tag";

    const std::vector<std::string> refs = StringList(r.doc["references"]);
    EXPECT_FALSE(refs.empty()) << "no references";
    EXPECT_TRUE(std::any_of(refs.begin(), refs.end(), IsPrimarySource))
        << "no reference to the advisories, CSS-Exchange, Microsoft or Volexity";
    // A rule about a CVE (its file name says which) cites its advisory and tags it.
    static const std::regex kCveInName("cve_2021_([0-9]{5})");
    for (std::sregex_iterator m(r.file.begin(), r.file.end(), kCveInName), end; m != end; ++m) {
      const std::string number = (*m)[1];
      EXPECT_TRUE(std::count(tags.begin(), tags.end(), "cve.2021-" + number)) << number;
      EXPECT_TRUE(std::count(refs.begin(), refs.end(),
                             "https://msrc.microsoft.com/update-guide/vulnerability/CVE-2021-" +
                                 number))
          << number;
    }

    const YAML::Node fp = r.doc["falsepositives"];
    EXPECT_TRUE(fp && fp.IsSequence() && fp.size() > 0) << "no falsepositives";
    EXPECT_EQ(StringList(fp).size(), fp ? fp.size() : 0u) << "falsepositives must be strings";
  }
}

// The loaded rules agree with the YAML on what an alert carries.
TEST(RulePackTest, LoadedRulesMapTagsToAttackIds) {
  for (const auto& rule : Pack().rules->rules()) {
    SCOPED_TRACE(rule->metadata().file);
    EXPECT_FALSE(rule->metadata().technique_ids.empty());
    EXPECT_FALSE(rule->metadata().tactic_ids.empty());
    EXPECT_NE(rule->metadata().severity, v1::SEVERITY_UNSPECIFIED);
  }
}

TEST(RulePackTest, EveryRuleHasAPositiveTest) {
  std::set<std::string> covered(RulesCoveredByBuiltEvents().begin(),
                                RulesCoveredByBuiltEvents().end());
  for (const auto* cases : {&SampleCases(), &PositiveFixtureCases(), &ChainFixtureCases()}) {
    for (const Case& c : *cases) {
      for (const auto& [id, n] : c.expected) {
        if (n > 0) covered.insert(id);
      }
    }
  }
  // Building-block rules that emit nothing on their own are covered through their correlation.
  const engine::RuleSet& set = *Pack().rules;
  for (const auto& c : set.correlations()) {
    if (!covered.count(c.rule->metadata.id)) continue;
    for (const engine::SigmaRule* base : c.base) covered.insert(base->metadata().id);
  }
  for (const RuleDoc& r : PackDocuments()) {
    EXPECT_TRUE(covered.count(Text(r.doc, "id"))) << r.file << ": no positive test";
  }
}

}  // namespace
}  // namespace tripline::correlator::hafnium_test
