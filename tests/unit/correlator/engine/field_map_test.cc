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
  auto r = map.Resolve({"windows", "process_creation", ""}, "ParentIntegrityLevel");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown field 'ParentIntegrityLevel' for logsource product=windows "
            "category=process_creation (field map section 'process_creation')");
  auto none = map.Resolve({"windows", "clipboard_capture", ""}, "Image");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "field 'Image': the field map has no section for logsource product=windows "
            "category=clipboard_capture");
  EXPECT_FALSE(map.Serves({"windows", "clipboard_capture", ""}));
}

// Sysmon 1 names the shipped map binds since ProcessStart carries them.
TEST(FieldMapTest, SysmonProcessNamesWithAPlaceInTheEvent) {
  const FieldMap& map = testing::ShippedFieldMap();
  Logsource proc{"windows", "process_creation", ""};
  EXPECT_EQ(map.Resolve(proc, "ParentUser")->name, "process.parent.user.name");
  EXPECT_EQ(map.Resolve(proc, "LogonId")->name, "process.logon_id");
  EXPECT_EQ(map.Resolve(proc, "FileVersion")->name, "process.pe.file_version");
  Logsource net{"windows", "network_connection", ""};
  EXPECT_EQ(map.Resolve(net, "SourceHostname")->name, "source.domain");
  EXPECT_EQ(map.Resolve(net, "DestinationIsIpv6")->name, "destination.is_ipv6");
  EXPECT_EQ(map.Resolve({"windows", "file_event", ""}, "CreationUtcTime")->name, "file.created");
  EXPECT_EQ(map.Resolve({"windows", "file_rename", ""}, "SourceFilename")->name, "file.old_path");
}

// What the events never carry is rejected with the reason, not loaded as a dead selection.
TEST(FieldMapTest, MissingNamesAreErrorsThatSayWhy) {
  const FieldMap& map = testing::ShippedFieldMap();
  auto parent = map.Resolve({"windows", "network_connection", ""}, "ParentImage");
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.status().message(),
            "field 'ParentImage' is not available for logsource product=windows "
            "category=network_connection: network events name only the connecting process "
            "(Sysmon 3 has no parent) (field map section 'network_connection')");
  // Sysmon reports LogonId; the Linux process source does not.
  EXPECT_EQ(map.Resolve({"windows", "process_creation", ""}, "LogonId")->name, "process.logon_id");
  auto linux_logon = map.Resolve({"linux", "process_creation", ""}, "LogonId");
  ASSERT_FALSE(linux_logon.ok());
  EXPECT_NE(linux_logon.status().message().find("reports no login session"), std::string::npos);
  EXPECT_EQ(map.Resolve({"linux", "process_creation", ""}, "CommandLine")->name,
            "process.command_line");
  auto object = map.Resolve({"aws", "", "cloudtrail"}, "requestParameters");
  ASSERT_FALSE(object.ok());
  EXPECT_NE(object.status().message().find("a JSON object"), std::string::npos);
  // Its members are ordinary fields.
  EXPECT_EQ(map.Resolve({"aws", "", "cloudtrail"}, "requestParameters.name")->name,
            "fields.requestParameters.name");
}

TEST(FieldMapTest, ProxyNamesMapOntoHttpRequest) {
  const FieldMap& map = testing::ShippedFieldMap();
  Logsource proxy{"", "proxy", ""};
  EXPECT_EQ(map.Resolve(proxy, "c-uri")->name, "url.original");
  EXPECT_EQ(map.Resolve(proxy, "c-useragent")->name, "user_agent.original");
  EXPECT_EQ(map.Resolve(proxy, "cs-host")->name, "url.domain");
  EXPECT_EQ(map.Resolve(proxy, "r-dns")->name, "url.domain");
  EXPECT_EQ(map.Resolve(proxy, "c-uri-extension")->name, "url.extension");
  EXPECT_EQ(map.Resolve(proxy, "cs-cookie")->name, "http.extra.cs(Cookie)");
  EXPECT_EQ(map.Resolve(proxy, "dst_ip")->name, "destination.ip");
  EXPECT_EQ(map.Resolve(proxy, "cs-version")->name, "http.extra.cs-version");  // unmapped column
}

// Structured logs without a typed body: any Sigma name, dotted or not, is a key of the record's
// own fields; Event names keep their meaning.
TEST(FieldMapTest, GenericSectionsSendEveryNameToTheRecordFields) {
  const FieldMap& map = testing::ShippedFieldMap();
  struct Case {
    Logsource logsource;
    std::string sigma, event;
  } cases[] = {
      {{"aws", "", "cloudtrail"}, "eventName", "fields.eventName"},
      {{"aws", "", "cloudtrail"}, "userIdentity.sessionContext.sessionIssuer.type",
       "fields.userIdentity.sessionContext.sessionIssuer.type"},
      {{"azure", "", "signinlogs"}, "ResultType", "fields.ResultType"},
      {{"okta", "", "okta"}, "debugContext.debugData.requestUri",
       "fields.debugContext.debugData.requestUri"},
      {{"zeek", "", "dns"}, "id.resp_p", "fields.id.resp_p"},
      {{"linux", "", "auditd"}, "a0", "fields.a0"},
      {{"", "dns", ""}, "query", "fields.query"},
      {{"opencanary", "application", ""}, "logtype", "fields.logtype"},
      {{"windows", "file_access", ""}, "FileName", "fields.FileName"},
      {{"rpc_firewall", "application", ""}, "InterfaceUuid", "fields.InterfaceUuid"},
      {{"rpc_firewall", "application", ""}, "EventLog", "winlog.channel"},
      {{"aws", "", "cloudtrail"}, "message", "message"},      // AppLog.message
      {{"aws", "", "cloudtrail"}, "host.name", "host.name"},  // the envelope
  };
  for (const Case& c : cases) {
    auto r = map.Resolve(c.logsource, c.sigma);
    ASSERT_TRUE(r.ok()) << c.logsource.ToString() << " " << c.sigma << ": " << r.status();
    EXPECT_EQ(r->name, c.event) << c.logsource.ToString() << " " << c.sigma;
  }
}

// `products` narrows a section; a section with only products serves product-only rules.
TEST(FieldMapTest, ProductsNarrowASectionOrServeProductOnlyRules) {
  std::vector<std::string> errors;
  FieldMap map = FieldMap::LoadString(
      "sections:\n"
      "  - name: rpcfw\n"
      "    products: [rpc_firewall]\n"
      "    categories: [application]\n"
      "    fields: {EventLog: winlog.channel}\n"
      "  - name: any_windows\n"
      "    products: [windows]\n"
      "    fields: {EventID: event.code}\n",
      "fm.yaml", &errors);
  ASSERT_TRUE(errors.empty()) << errors[0];
  EXPECT_TRUE(map.Serves({"rpc_firewall", "application", ""}));
  EXPECT_FALSE(map.Serves({"jvm", "application", ""}));
  EXPECT_TRUE(map.Serves({"windows", "", ""}));
  EXPECT_FALSE(map.Serves({"windows", "file_access", ""}));  // a category nobody maps
  EXPECT_FALSE(map.Serves({"windows", "", "security"}));
  EXPECT_EQ(map.Resolve({"windows", "", ""}, "EventID")->name, "event.code");
}

TEST(FieldMapTest, GenericAndMissingAreCheckedStrictly) {
  std::vector<std::string> errors;
  FieldMap::LoadString(
      "sections:\n"                          // 1
      "  - name: cloud\n"                    // 2
      "    services: [cloudtrail]\n"         // 3
      "    generic: nowhere.\n"              // 4
      "    missing: {requestParameters: []}\n"  // 5
      "  - name: both\n"                     // 6
      "    services: [okta]\n"               // 7
      "    generic: fields.\n"               // 8
      "    unmapped: app.fields.\n",         // 9
      "fm.yaml", &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "fm.yaml:4: generic: expected a map prefix such as winlog.event_data.");
  EXPECT_EQ(errors[1], "fm.yaml:5: missing.requestParameters: expected the reason as text");
  EXPECT_EQ(errors[2], "fm.yaml:6: section 'both': 'generic' and 'unmapped' exclude each other");
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
