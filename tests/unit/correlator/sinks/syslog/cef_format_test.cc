// CEF rendering: the exact line ArcSight receives, and each escaping rule on hostile values.
#include "correlator/sinks/syslog/cef_format.h"

#include <gtest/gtest.h>

#include "correlator/sinks/syslog/alert_fields.h"
#include "tests/unit/correlator/sinks/syslog/test_alert.h"

namespace tripline::correlator {
namespace {

TEST(CefFormat, RendersHeaderAndExtensionWithEscaping) {
  EXPECT_EQ(
      RenderCef(testing::HostileAlert(), "1.2.3"),
      R"(CEF:0|Tripline|Tripline Correlator|1.2.3|rule-1|Web shell \| C:\\inetpub|10|)"
      R"(rt=1614913588250 start=1614913587000 end=1614913588250 cnt=2 dhost=EXCH01 )"
      R"(dst=10.0.0.5 src=203.0.113.7 spt=51000 dpt=443 suser=CORP\\adm\=in )"
      "request=/owa/auth/\xc3\xa9t\xc3\xa9.aspx?a\\=b|c requestMethod=POST "
      R"(requestClientApplication=Mozilla/5.0\r\nX cat=sigma msg=POST x^y done )"
      R"(externalId=a1b2c3 cs1Label=alertId cs1=a1b2c3 cs2Label=mitreTechniques )"
      R"(cs2=T1505.003,T1190 cs3Label=mitreTactics cs3=persistence cs4Label=ruleset )"
      R"(cs4=hafnium cs5Label=groupKey cs5=EXCH01)");
}

TEST(CefFormat, UnknownFieldsAreLeftOutAndProcessEvidenceFillsProcessKeys) {
  v1::Alert a;
  a.set_alert_id("x");
  a.mutable_rule()->set_id("r");
  a.mutable_rule()->set_title("t");
  a.set_severity(v1::SEVERITY_LOW);
  a.mutable_host()->set_id("h1");
  a.add_event_ids("e");
  auto* p = a.add_events()->mutable_process();
  p->mutable_process()->set_name("cmd.exe");
  p->mutable_process()->set_pid(42);
  p->mutable_parent()->set_name("w3wp.exe");
  p->mutable_parent()->set_pid(7);
  p->set_user_name("NT AUTHORITY\\SYSTEM");
  p->set_hash_sha256("abc");
  EXPECT_EQ(RenderCef(a, "0.1.0"),
            R"(CEF:0|Tripline|Tripline Correlator|0.1.0|r|t|3|cnt=1 dhost=h1 )"
            R"(suser=NT AUTHORITY\\SYSTEM sproc=w3wp.exe spid=7 dproc=cmd.exe dpid=42 )"
            R"(fileHash=abc externalId=x cs1Label=alertId cs1=x)");
}

TEST(CefFormat, EscapingRules) {
  EXPECT_EQ(CefHeaderEscape("a|b\\c\nd=e"), R"(a\|b\\c d=e)");
  EXPECT_EQ(CefExtensionEscape("k=v\\x\r\ny|z \x01 \xc3\xa9"), "k\\=v\\\\x\\r\\ny|z   \xc3\xa9");
  EXPECT_EQ(CefSeverity(v1::SEVERITY_HIGH), 8);
  EXPECT_EQ(CefSeverity(v1::SEVERITY_UNSPECIFIED), 0);
}

TEST(CefFormat, LongValuesAreCutOnACharacterBoundary) {
  std::string s(kMaxValueBytes - 1, 'a');
  s += "\xc3\xa9";  // 'é' straddles the limit: left out whole
  EXPECT_EQ(Utf8Prefix(s, kMaxValueBytes), std::string(kMaxValueBytes - 1, 'a'));
  EXPECT_EQ(Utf8Prefix("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");
  v1::Alert a;
  a.set_message(std::string(5000, 'm'));
  const std::string cef = RenderCef(a, "v");
  EXPECT_NE(cef.find("msg=" + std::string(kMaxValueBytes, 'm')), std::string::npos);
  EXPECT_EQ(cef.find(std::string(kMaxValueBytes + 1, 'm')), std::string::npos);
}

}  // namespace
}  // namespace tripline::correlator
