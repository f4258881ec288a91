// config/field_map.yaml: the shipped map loads cleanly; mistakes are reported with their line.
#include "correlator/engine/field_map.h"

#include <gtest/gtest.h>

#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine {
namespace {

TEST(FieldMapTest, ShippedMapLoadsAndResolvesTaxonomyNames) {
  const FieldMap& map = testing::ShippedFieldMap();
  EXPECT_GE(map.section_count(), 6u);
  Logsource proc{"windows", "process_creation", ""};
  auto image = map.Resolve(proc, "ParentImage");
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->name, "process.parent.executable");
  Logsource web{"", "webserver", ""};
  EXPECT_EQ(map.Resolve(web, "cs-uri-stem")->name, "url.path");
  EXPECT_EQ(map.Resolve(web, "sc-status")->name, "http.response.status_code");
  EXPECT_EQ(map.Resolve(web, "url.path")->name, "url.path");  // Event names work directly
  EXPECT_EQ(map.Resolve(web, "cs-version")->name, "http.extra.cs-version");  // unmapped column
  Logsource security{"windows", "", "security"};
  EXPECT_EQ(map.Resolve(security, "TargetUserName")->name, "winlog.event_data.TargetUserName");
  EXPECT_EQ(map.Resolve(security, "EventID")->name, "event.code");
}

TEST(FieldMapTest, UnmappedNamesAreErrorsThatNameTheLogsource) {
  const FieldMap& map = testing::ShippedFieldMap();
  auto r = map.Resolve({"windows", "process_creation", ""}, "ParentUser");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown field 'ParentUser' for logsource product=windows category=process_creation "
            "(field map section 'process_creation')");
  auto none = map.Resolve({"windows", "antivirus", ""}, "Signature");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "field 'Signature': the field map has no section for logsource product=windows "
            "category=antivirus");
}

TEST(FieldMapTest, StrictLoadingReportsEveryProblemWithItsLine) {
  std::vector<std::string> errors;
  FieldMap::LoadString(
      "sections:\n"                           // 1
      "  - name: web\n"                       // 2
      "    categories: [webserver]\n"         // 3
      "    colour: blue\n"                    // 4
      "    fields:\n"                         // 5
      "      cs-method: http.request.verb\n"  // 6
      "      c-ip: source.ip\n"               // 7
      "    unmapped: nowhere.\n"              // 8
      "version: 2\n",                         // 9
      "field_map.yaml", &errors);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "field_map.yaml:9: unknown key 'version'");
  EXPECT_EQ(errors[1], "field_map.yaml:4: unknown key 'colour' in section");
  EXPECT_EQ(errors[2],
            "field_map.yaml:6: fields.cs-method: unknown field 'http.request.verb'");
  EXPECT_EQ(errors[3],
            "field_map.yaml:8: unmapped: expected a map prefix such as winlog.event_data.");
}

TEST(FieldMapTest, SyntaxErrorHasLine) {
  std::vector<std::string> errors;
  FieldMap::LoadString("sections:\n  - name: [unclosed\n", "fm.yaml", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("fm.yaml:3: YAML syntax error", 0), 0u) << errors[0];
}

}  // namespace
}  // namespace tripline::correlator::engine
