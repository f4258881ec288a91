// Event fields by ECS name: absent vs empty, numbers, map lookups, fields shared by bodies.
#include "correlator/engine/field_registry.h"

#include <gtest/gtest.h>

namespace tripline::correlator::engine {
namespace {

FieldValue Get(const v1::Event& e, const std::string& name, std::string* scratch) {
  auto accessor = FieldRegistry::Resolve(name);
  EXPECT_TRUE(accessor.ok()) << name << ": " << accessor.status();
  return accessor->Get(e, scratch);
}

TEST(FieldRegistryTest, EveryListedNameResolves) {
  for (const std::string& name : FieldRegistry::Names()) {
    std::string full = name.back() == '.' ? name + "Key" : name;
    EXPECT_TRUE(FieldRegistry::Resolve(full).ok()) << full;
  }
  EXPECT_GT(FieldRegistry::Names().size(), 60u);
}

TEST(FieldRegistryTest, UnknownNameIsAnError) {
  auto r = FieldRegistry::Resolve("process.parent.parent.name");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unknown field 'process.parent.parent.name'");
  EXPECT_FALSE(FieldRegistry::Resolve("winlog.event_data.").ok());  // prefix without a key
}

TEST(FieldRegistryTest, AbsentBodyIsAbsentNotEmpty) {
  v1::Event e;
  e.mutable_http()->set_url_path("/owa/auth/x.aspx");
  std::string scratch;
  EXPECT_EQ(Get(e, "url.path", &scratch), FieldValue("/owa/auth/x.aspx"));
  EXPECT_EQ(Get(e, "url.query", &scratch), FieldValue(""));  // present, empty
  EXPECT_EQ(Get(e, "process.command_line", &scratch), std::nullopt);
  EXPECT_EQ(Get(e, "file.path", &scratch), std::nullopt);
  EXPECT_EQ(Get(e, "host.name", &scratch), FieldValue(""));  // envelope is always there
}

TEST(FieldRegistryTest, NumbersAreRenderedInDecimal) {
  v1::Event e;
  e.mutable_http()->set_status_code(404);
  e.mutable_http()->set_response_bytes(1234567890123ULL);
  std::string scratch;
  EXPECT_EQ(Get(e, "http.response.status_code", &scratch), FieldValue("404"));
  EXPECT_EQ(Get(e, "http.response.bytes", &scratch), FieldValue("1234567890123"));
  e.mutable_windows()->set_event_code(4688);
  EXPECT_EQ(Get(e, "event.code", &scratch), FieldValue("4688"));
}

TEST(FieldRegistryTest, MapFieldsLookUpTheirKey) {
  v1::Event e;
  (*e.mutable_windows()->mutable_data())["TargetUserName"] = "alice";
  (*e.mutable_labels())["env"] = "prod";
  std::string scratch;
  EXPECT_EQ(Get(e, "winlog.event_data.TargetUserName", &scratch), FieldValue("alice"));
  EXPECT_EQ(Get(e, "winlog.event_data.SubjectUserName", &scratch), std::nullopt);
  EXPECT_EQ(Get(e, "labels.env", &scratch), FieldValue("prod"));
  v1::Event c;
  (*c.mutable_cmdlet()->mutable_parameters())["ExternalUrl"] = "http://x/#<script>";
  EXPECT_EQ(Get(c, "exchange.cmdlet.parameters.ExternalUrl", &scratch),
            FieldValue("http://x/#<script>"));
  v1::Event h;
  (*h.mutable_http()->mutable_extra())["cs-version"] = "HTTP/1.1";
  EXPECT_EQ(Get(h, "http.extra.cs-version", &scratch), FieldValue("HTTP/1.1"));
}

TEST(FieldRegistryTest, ProcessFieldsReadTheActingProcessOfEachBody) {
  v1::Event file;
  file.mutable_file()->mutable_process()->set_executable("C:\\w3wp.exe");
  v1::Event net;
  net.mutable_network()->mutable_process()->set_executable("C:\\x.exe");
  std::string scratch;
  EXPECT_EQ(Get(file, "process.executable", &scratch), FieldValue("C:\\w3wp.exe"));
  EXPECT_EQ(Get(net, "process.executable", &scratch), FieldValue("C:\\x.exe"));
}

TEST(FieldRegistryTest, SysmonStyleComposedFields) {
  v1::Event e;
  e.mutable_process()->set_user_domain("NT AUTHORITY");
  e.mutable_process()->set_user_name("SYSTEM");
  e.mutable_process()->set_hash_md5("AA");
  e.mutable_process()->set_hash_sha256("BB");
  std::string scratch;
  EXPECT_EQ(Get(e, "user.qualified_name", &scratch), FieldValue("NT AUTHORITY\\SYSTEM"));
  EXPECT_EQ(Get(e, "process.hashes", &scratch), FieldValue("MD5=AA,SHA256=BB"));
  v1::Event s;
  s.mutable_service()->set_action(v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(Get(s, "event.code", &scratch), FieldValue("7045"));
  EXPECT_EQ(Get(s, "winlog.provider_name", &scratch), FieldValue("Service Control Manager"));
}

// fields.<key>: the record's own named values, a JSON line's flattened fields or a Windows
// event's data, absent for typed bodies and for keys the record does not have.
TEST(FieldRegistryTest, RecordFieldsReadAppFieldsOrWindowsData) {
  v1::Event json;
  (*json.mutable_app()->mutable_fields())["userIdentity.arn"] = "arn:aws:iam::1:user/alice";
  v1::Event win;
  (*win.mutable_windows()->mutable_data())["InterfaceUuid"] = "367abb81-9844-35f1-ad32";
  v1::Event http;
  (*http.mutable_http()->mutable_extra())["userIdentity.arn"] = "x";
  std::string scratch;
  EXPECT_EQ(Get(json, "fields.userIdentity.arn", &scratch),
            FieldValue("arn:aws:iam::1:user/alice"));
  EXPECT_EQ(Get(json, "fields.userIdentity", &scratch), std::nullopt);
  EXPECT_EQ(Get(win, "fields.InterfaceUuid", &scratch), FieldValue("367abb81-9844-35f1-ad32"));
  EXPECT_EQ(Get(http, "fields.userIdentity.arn", &scratch), std::nullopt);
  EXPECT_FALSE(FieldRegistry::Resolve("fields.").ok());
}

TEST(FieldRegistryTest, SysmonValuesOnlySomeSourcesReportAreAbsentWhenEmpty) {
  v1::Event sysmon;
  sysmon.mutable_process()->set_parent_user_name("NT AUTHORITY\\SYSTEM");
  sysmon.mutable_process()->set_logon_id("0x3e7");
  sysmon.mutable_process()->set_file_version("10.0.17763.1");
  v1::Event security;  // 4688 has no ParentUser
  security.mutable_process()->set_logon_id("0x3e7");
  std::string scratch;
  EXPECT_EQ(Get(sysmon, "process.parent.user.name", &scratch), FieldValue("NT AUTHORITY\\SYSTEM"));
  EXPECT_EQ(Get(sysmon, "process.logon_id", &scratch), FieldValue("0x3e7"));
  EXPECT_EQ(Get(sysmon, "process.pe.file_version", &scratch), FieldValue("10.0.17763.1"));
  EXPECT_EQ(Get(security, "process.parent.user.name", &scratch), std::nullopt);
  EXPECT_EQ(Get(security, "process.pe.file_version", &scratch), std::nullopt);
}

TEST(FieldRegistryTest, ComposedNetworkFileAndUrlValues) {
  v1::Event net;
  net.mutable_network()->set_source_ip("fe80::1");
  net.mutable_network()->set_destination_ip("203.0.113.7");
  net.mutable_network()->set_source_domain("EXCH01.contoso.local");
  std::string scratch;
  EXPECT_EQ(Get(net, "source.is_ipv6", &scratch), FieldValue("true"));
  EXPECT_EQ(Get(net, "destination.is_ipv6", &scratch), FieldValue("false"));
  EXPECT_EQ(Get(net, "source.domain", &scratch), FieldValue("EXCH01.contoso.local"));

  v1::Event file;
  file.mutable_file()->set_path("C:\\x.aspx");
  EXPECT_EQ(Get(file, "file.created", &scratch), std::nullopt);  // not reported
  file.mutable_file()->mutable_created()->set_seconds(1614757711);  // 2021-03-03 07:48:31
  file.mutable_file()->mutable_created()->set_nanos(2000000);
  EXPECT_EQ(Get(file, "file.created", &scratch), FieldValue("2021-03-03 07:48:31.002"));

  v1::Event http;
  http.mutable_http()->set_url_path("/dl/Update.EXE");
  EXPECT_EQ(Get(http, "url.extension", &scratch), FieldValue("exe"));
  http.mutable_http()->set_url_path("http://evil.example/a.b/payload");
  EXPECT_EQ(Get(http, "url.extension", &scratch), FieldValue(""));
}

}  // namespace
}  // namespace tripline::correlator::engine

namespace tripline::correlator::engine {
namespace {

// A W3C request shipped without its raw line (the agent's default for fully parsed formats)
// still gives keyword searches the values of its columns; a record with its raw line gives that.
TEST(FieldRegistryTest, EventOriginalOfAParsedRequestWithoutItsLineJoinsItsColumns) {
  v1::Event e;
  auto* h = e.mutable_http();
  h->set_method("POST");
  h->set_url_path("/owa/auth/shell.aspx");
  h->set_url_query("cmd=whoami");
  h->set_source_ip("203.0.113.9");
  h->set_user_agent("python requests/2.25");
  h->set_status_code(200);
  (*h->mutable_extra())["time-taken"] = "31";
  std::string scratch;
  FieldValue v = Get(e, "event.original", &scratch);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, "POST /owa/auth/shell.aspx cmd=whoami 203.0.113.9 python+requests/2.25 200 31");
  e.set_original("2021-03-05 03:00:00 raw line");
  EXPECT_EQ(*Get(e, "event.original", &scratch), "2021-03-05 03:00:00 raw line");
  v1::Event process;
  process.mutable_process();
  EXPECT_EQ(*Get(process, "event.original", &scratch), "") << "no request to render: empty";
}

}  // namespace
}  // namespace tripline::correlator::engine
