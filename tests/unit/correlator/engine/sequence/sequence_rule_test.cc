// Loading Tripline sequence and first-seen rules: through the same loader as Sigma rules, every
// problem reported at once as file:line: reason; and the join transforms.
#include "correlator/engine/sequence/sequence_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "correlator/engine/sequence/field_expr.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

std::optional<std::string> Transformed(ValueTransform t, std::string value) {
  if (!ApplyTransform(t, &value)) return std::nullopt;
  return value;
}

TEST(ValueTransform, IisUrlPathMapsFilesUnderWebRootsToTheirUrlPaths) {
  const auto t = ValueTransform::kIisUrlPath;
  // Values reach transforms lower-cased.
  EXPECT_EQ(Transformed(t, "c:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx"),
            "/aspnet_client/shell.aspx");
  EXPECT_EQ(Transformed(t, "d:\\inetpub\\wwwroot\\aspnet_client\\system_web\\x.aspx"),
            "/aspnet_client/system_web/x.aspx");
  EXPECT_EQ(Transformed(t, "c:\\program files\\microsoft\\exchange server\\v15\\frontend\\"
                           "httpproxy\\owa\\auth\\errorfe.aspx"),
            "/owa/auth/errorfe.aspx");
  EXPECT_EQ(Transformed(t, "c:\\windows\\temp\\shell.aspx"), std::nullopt);
  EXPECT_EQ(Transformed(t, "c:\\inetpub\\wwwroot\\"), std::nullopt);
}

TEST(ValueTransform, BasenameKeepsTheLastPathComponent) {
  EXPECT_EQ(Transformed(ValueTransform::kBasename, "c:\\a\\b\\shell.aspx"), "shell.aspx");
  EXPECT_EQ(Transformed(ValueTransform::kBasename, "/owa/auth/x.aspx"), "x.aspx");
  EXPECT_EQ(Transformed(ValueTransform::kBasename, "/owa/auth/"), std::nullopt);
}

TEST(FieldExpr, ReadsLowerCasesAndTransforms) {
  auto expr = ParseFieldExpr("TargetFilename|iis_url_path|basename", testing::ShippedFieldMap(),
                             Logsource{"windows", "file_event", ""});
  ASSERT_TRUE(expr.ok()) << expr.status();
  v1::Event e;
  e.mutable_file()->set_path("C:\\inetpub\\wwwroot\\aspnet_client\\Shell.ASPX");
  std::string scratch;
  EXPECT_EQ(expr->Read(e, &scratch), "shell.aspx");
  e.mutable_file()->set_path("");
  EXPECT_EQ(expr->Read(e, &scratch), std::nullopt) << "an empty value never joins";
  auto bad = ParseFieldExpr("file.path|dirname", testing::ShippedFieldMap(),
                            Logsource{"windows", "file_event", ""});
  EXPECT_EQ(bad.status().message(), "unknown transform 'dirname' (basename, iis_url_path)");
}

constexpr char kGood[] = R"(title: A Sigma rule
id: sigma-1
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: '\cmd.exe'}
  condition: sel
---
tripline: sequence
title: Two steps
id: seq-1
key: [host.name]
maxspan: 1h
steps:
  - name: a
    logsource: {category: file_event}
    detection: {sel: {TargetFilename|endswith: '.aspx'}, condition: sel}
  - name: b
    logsource: {category: webserver}
    detection: {sel: {cs-method: POST}, condition: sel}
    join: {cs-uri-stem|basename: a.TargetFilename|basename}
---
tripline: first_seen
title: New destination
id: fs-1
logsource: {category: network_connection}
detection: {sel: {Initiated: 'true'}, condition: sel}
key: host.name
value: [DestinationIp, DestinationPort]
baseline: 7d
)";

TEST(SequenceRule, LoadsWithSigmaRulesThroughTheSameLoader) {
  LoadResult r = testing::LoadRules(kGood, "mixed.yml");
  ASSERT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
  EXPECT_EQ(r.rules->size(), 3u);
  ASSERT_EQ(r.rules->sequences().size(), 1u);
  ASSERT_EQ(r.rules->first_seen().size(), 1u);
  const SequenceRule& seq = *r.rules->sequences()[0];
  EXPECT_EQ(seq.metadata.id, "seq-1");
  EXPECT_EQ(seq.metadata.line, 8);
  ASSERT_EQ(seq.steps.size(), 2u);
  EXPECT_EQ(seq.steps[0].captures.size(), 1u);
  ASSERT_EQ(seq.steps[1].joins.size(), 1u);
  EXPECT_EQ(seq.steps[1].joins[0].step, 0);
  EXPECT_EQ(seq.maxspan_us, 3600LL * 1'000'000);
  EXPECT_EQ(r.rules->first_seen()[0]->value.size(), 2u);
}

TEST(SequenceRule, ReportsEveryProblemWithFileAndLine) {
  const std::string text =
      "tripline: sequence\n"                                             // 1
      "title: Broken\n"                                                  // 2
      "key: [host.name]\n"                                               // 3
      "maxspan: 10x\n"                                                   // 4
      "colour: red\n"                                                    // 5
      "steps:\n"                                                         // 6
      "  - name: write\n"                                                // 7
      "    absent: true\n"                                               // 8
      "    logsource: {category: file_event}\n"                          // 9
      "    detection: {sel: {TargetFilename: x}, condition: sel}\n"      // 10
      "  - name: request\n"                                              // 11
      "    whithin: 2m\n"                                                // 12
      "    logsource: {category: process_creation}\n"                    // 13
      "    detection: {sel: {NoSuchField: x}, condition: sel}\n"         // 14
      "  - name: spawn\n"                                                // 15
      "    within: 2h\n"                                                 // 16
      "    logsource: {category: process_creation}\n"                    // 17
      "    detection: {sel: {Image: x}, condition: sel}\n"               // 18
      "    join:\n"                                                      // 19
      "      process.executable: nosuch.file.path\n"                     // 20
      "      process.name|shout: write.file.name\n"                      // 21
      "---\n"                                                            // 22
      "tripline: first_seen\n"                                           // 23
      "title: No value\n"                                                // 24
      "logsource: {service: system}\n"                                  // 25
      "detection: {sel: {EventID: 7045}, condition: sel}\n"              // 26
      "key: host.name\n"                                                 // 27
      "baseline: 7d\n"                                                   // 28
      "---\n"                                                            // 29
      "tripline: pattern\n"                                              // 30
      "title: Unknown kind\n";                                           // 31
  LoadResult r = testing::LoadRules(text, "bad.yml");
  EXPECT_EQ(r.rules->size(), 0u);
  std::vector<std::string> want = {
      "bad.yml:5: unknown key 'colour' in sequence rule",
      "bad.yml:4: bad duration for 'maxspan' (a positive integer and one of s, m, h, d, e.g. 10m)",
      "bad.yml:7: the first step cannot be absent nor have 'within' (nothing precedes it)",
      "bad.yml:7: an absence step needs 'within' (how long the event must not happen)",
      "bad.yml:12: unknown key 'whithin' in step",
      "bad.yml:14: unknown field 'NoSuchField' for logsource category=process_creation (field "
      "map section 'process_creation')",
      "bad.yml:20: join 'process.executable': 'nosuch.file.path' must be step_name.field with "
      "an earlier step's name",
      "bad.yml:21: join 'process.name|shout': unknown transform 'shout' (basename, "
      "iis_url_path)",
      "bad.yml:21: join 'process.name|shout': step 'write' is an absence step and has no event "
      "to join on",
      "bad.yml:23: 'value' is required (a field or a list of fields)",
      "bad.yml:30: 'tripline' must be 'sequence' or 'first_seen'",
  };
  EXPECT_EQ(r.errors, want);
}

TEST(SequenceRule, RuleIdsAreUniqueAcrossKinds) {
  std::string text(kGood);
  text.replace(text.find("id: seq-1"), 9, "id: sigma-1");
  LoadResult r = testing::LoadRules(text, "dup.yml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], "dup.yml:8: duplicate rule id 'sigma-1' (first defined at dup.yml:1)");
  EXPECT_EQ(r.rules->sequences().size(), 0u);
}

TEST(SequenceRule, FingerprintChangesWithTheRule) {
  LoadResult a = testing::LoadRules(kGood, "a.yml");
  std::string changed(kGood);
  changed.replace(changed.find("maxspan: 1h"), 11, "maxspan: 2h");
  LoadResult b = testing::LoadRules(changed, "a.yml");
  ASSERT_TRUE(a.errors.empty() && b.errors.empty());
  EXPECT_NE(a.rules->sequences()[0]->fingerprint, b.rules->sequences()[0]->fingerprint);
  EXPECT_EQ(a.rules->first_seen()[0]->fingerprint, b.rules->first_seen()[0]->fingerprint);
}

}  // namespace
}  // namespace tripline::correlator::engine
