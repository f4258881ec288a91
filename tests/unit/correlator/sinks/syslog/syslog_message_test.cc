// RFC 5424 header and RFC 6587 octet-counting framing.
#include "correlator/sinks/syslog/syslog_message.h"

#include <gtest/gtest.h>

namespace tripline::correlator {
namespace {

TEST(SyslogMessage, HeaderFieldsArePrintableAsciiCutToTheirLengths) {
  SyslogHeader h;
  h.facility = 20;  // local4
  h.hostname = "my host \xc3\xa9";
  h.app_name = std::string(60, 'a');
  h.procid = "1234";
  google::protobuf::Timestamp t;
  t.set_seconds(1614913589);
  t.set_nanos(500'000'000);
  EXPECT_EQ(Rfc5424Message(h, SyslogSeverity(v1::SEVERITY_CRITICAL), t, "CEF:0|x"),
            "<162>1 2021-03-05T03:06:29.500Z my_host___ " + std::string(48, 'a') +
                " 1234 - - CEF:0|x");
  h.hostname = std::string(300, 'h');
  h.msgid = std::string(40, 'm');
  const std::string m = Rfc5424Message(h, SyslogSeverity(v1::SEVERITY_UNSPECIFIED), t, "x");
  EXPECT_EQ(m.rfind("<166>1 ", 0), 0u);
  EXPECT_NE(m.find(" " + std::string(255, 'h') + " "), std::string::npos);
  EXPECT_NE(m.find(" " + std::string(32, 'm') + " - x"), std::string::npos);
}

TEST(SyslogMessage, SeverityMapping) {
  EXPECT_EQ(SyslogSeverity(v1::SEVERITY_HIGH), 3);
  EXPECT_EQ(SyslogSeverity(v1::SEVERITY_MEDIUM), 4);
  EXPECT_EQ(SyslogSeverity(v1::SEVERITY_LOW), 5);
  EXPECT_EQ(SyslogSeverity(v1::SEVERITY_INFORMATIONAL), 6);
}

TEST(SyslogMessage, OctetCountIsBytesNotCharacters) {
  EXPECT_EQ(OctetCountedFrame("h\xc3\xa9llo"), "6 h\xc3\xa9llo");
  EXPECT_EQ(OctetCountedFrame(""), "0 ");
}

}  // namespace
}  // namespace tripline::correlator
