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

}  // namespace
}  // namespace tripline::correlator::engine
