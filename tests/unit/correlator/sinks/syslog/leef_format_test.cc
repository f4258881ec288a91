// LEEF 2.0 rendering: the exact line QRadar receives; the delimiter never appears in a value.
#include "correlator/sinks/syslog/leef_format.h"

#include <gtest/gtest.h>

#include "tests/unit/correlator/sinks/syslog/test_alert.h"

namespace tripline::correlator {
namespace {

TEST(LeefFormat, RendersHeaderAndAttributes) {
  EXPECT_EQ(RenderLeef(testing::HostileAlert(), "1.2.3"),
            "LEEF:2.0|Tripline|Tripline Correlator|1.2.3|rule-1|^|"
            "devTime=2021-03-05T03:06:28.250+0000^devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ^"
            "cat=sigma^sev=10^src=203.0.113.7^dst=10.0.0.5^srcPort=51000^dstPort=443^"
            "usrName=CORP\\adm=in^resource=EXCH01^url=/owa/auth/\xc3\xa9t\xc3\xa9.aspx?a=b|c^"
            "alertId=a1b2c3^ruleName=Web shell | C:\\inetpub^ruleset=hafnium^groupKey=EXCH01^"
            "eventCount=2^mitreTechniques=T1505.003,T1190^mitreTactics=persistence^"
            "msg=POST x_y done^requestMethod=POST^userAgent=Mozilla/5.0  X");
}

TEST(LeefFormat, DelimiterAndControlCharactersNeverReachAValue) {
  EXPECT_EQ(LeefValue("a^b\tc\r\nd=e|f \xc3\xa9"), "a_b c  d=e|f \xc3\xa9");
  EXPECT_EQ(LeefHeaderValue("r|1^x"), "r_1_x");
  v1::Alert a;
  a.mutable_rule()->set_id("id|with|pipes");
  const std::string leef = RenderLeef(a, "v");
  EXPECT_EQ(leef.rfind("LEEF:2.0|Tripline|Tripline Correlator|v|id_with_pipes|^|", 0), 0u) << leef;
  EXPECT_EQ(LeefSeverity(v1::SEVERITY_UNSPECIFIED), 1);
}

}  // namespace
}  // namespace tripline::correlator
