#include "correlator/cli/format_detector.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tripline::correlator::cli {
namespace {

struct Case {
  const char* name;
  const char* head;
  const char* format;
};

// What `tripline hunt` picks for the logs an Exchange / IIS responder is handed.
const Case kCases[] = {
    {"iis", "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
            "#Date: 2021-03-03 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem\n"
            "2021-03-03 00:00:01 10.0.0.1 GET /owa/\n", "w3c"},
    {"w3c_fields_only", "#Fields: date time c-ip\r\n2021-03-03 00:00:01 1.2.3.4\r\n", "w3c"},
    {"iis_bom", "\xEF\xBB\xBF#Fields: date time c-ip\n", "w3c"},
    // An excerpt without its header, as the helsecert incident file is.
    {"iis_headerless", "2021-03-05 03:06:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx "
                       "&CorrelationID=<empty>; 443 - 139.162.202.236 Mozilla/5.0 - 200 0 0 133\n",
     "w3c"},
    {"dated_text_is_plain", "2021-03-05 03:06:27 service started\n", "plain"},
    {"httpproxy_log_type", "#Software: Microsoft Exchange Server\n#Version: 15.01.2176.002\n"
                           "#Log-type: HttpProxy Logs\n#Date: 2021-03-03T00:00:00.000Z\n"
                           "#Fields: DateTime,RequestId,MajorVersion\n", "httpproxy"},
    {"httpproxy_header",
     "DateTime,RequestId,MajorVersion,MinorVersion\n2021-03-03T00:00:00Z,x,15,1\n", "httpproxy"},
    // Test-ProxyLogon's export: PowerShell's Export-Csv, quoted header with HttpProxy columns.
    {"httpproxy_export",
     "#TYPE Selected.System.Management.Automation.PSCustomObject\n"
     "\"DateTime\",\"RequestId\",\"ClientIpAddress\",\"UrlStem\",\"AnchorMailbox\"\n"
     "\"2021-03-03T06:49:42.162Z\",\"xxx\",\"130.255.189.21\",\"/ecp/y.js\",\"x\"\n",
     "httpproxy"},
    // A SIEM's CSV export with its own column names.
    {"csv_header", "timestamp,hostname,urlpath,useragent,http-metode\n2021-03-05T03:06:27Z,a,b,c,d\n",
     "csv"},
    {"csv_data_row_is_not_a_header", "2021-03-05,10.0.0.1,GET\n", "plain"},
    {"ecp", "#Software: Microsoft Exchange Server\n#Log-type: ECP Server Log\n", "ecp"},
    {"oab", "#Log-type: OAB Generator Log\n", "oab"},
    {"winevent_json", "{\"EventID\": 4688, \"Channel\": \"Security\"}\n", "winevent_json"},
    {"winlogbeat", "{\"@timestamp\":\"x\",\"winlog\":{\"event_id\":1}}\n", "winevent_json"},
    {"json", "\n{\"level\":\"info\",\"msg\":\"hello\"}\n", "json"},
    {"plain", "Mar  3 00:00:01 host sshd[1]: Accepted password\n", "plain"},
    {"unknown_directive_then_text", "#Version: 1.0\nsome text\n", "plain"},
    {"empty", "", "plain"},
};

TEST(FormatDetectorTest, Table) {
  for (const Case& c : kCases) {
    EXPECT_EQ(DetectFormat(c.head), c.format) << c.name;
  }
}

TEST(FormatDetectorTest, PrettyPrintedJsonIsADocument) {
  EXPECT_TRUE(IsJsonDocument("{\n  \"Event\": {\n"));
  EXPECT_TRUE(IsJsonDocument("\n[\r\n"));
  EXPECT_FALSE(IsJsonDocument("{\"EventID\": 1}\n{\"EventID\": 2}\n"));
  EXPECT_FALSE(IsJsonDocument("#Fields: date time\n"));
}

TEST(FormatDetectorTest, CloudTrailRecordsEnvelopeIsRecognised) {
  EXPECT_TRUE(IsRecordsEnvelope("{\"Records\":[{\"eventVersion\":\"1.08\"}]}"));
  EXPECT_TRUE(IsRecordsEnvelope("\xEF\xBB\xBF{\n  \"Records\" : [\n    {\n"));
  EXPECT_FALSE(IsRecordsEnvelope("{\"eventVersion\":\"1.08\",\"Records\":[]}"));
  EXPECT_FALSE(IsRecordsEnvelope("{\"Records\":\"x\"}"));
  EXPECT_FALSE(IsRecordsEnvelope(""));
}

TEST(FormatDetectorTest, ReadsTheFileHead) {
  auto path = std::filesystem::temp_directory_path() / "tripline_detect_test.log";
  std::ofstream(path) << "#Log-type: HttpProxy Logs\n";
  EXPECT_EQ(DetectFileFormat(path.string()), "httpproxy");
  std::filesystem::remove(path);
  EXPECT_EQ(DetectFileFormat(path.string()), "plain");
}

}  // namespace
}  // namespace tripline::correlator::cli
