#include "agent/parsers/exchange_csv/oab_generator_parser.h"

#include <gtest/gtest.h>

#include "tests/unit/agent/parsers/parser_test_util.h"

namespace tripline::agent {
namespace {

TEST(OabGeneratorParser, FieldsLayoutAndTemporaryFilePaths) {
  OabGeneratorParser parser;
  ParsedFile file = ParseFile(parser, TRIPLINE_TESTDATA_DIR "/exchange/oab_generator.LOG");
  EXPECT_TRUE(file.errors.empty()) << file.errors.front();
  EXPECT_EQ(file.skipped, 5);
  ASSERT_EQ(file.records.size(), 3u);

  const v1::AppLog& benign = file.records[0].app();
  EXPECT_EQ(benign.message(),
            "OABGeneratorAssistant: processing OAB '\\OAB (Ex2013)', version 'E15'");
  EXPECT_EQ(benign.fields().at("Level"), "Information");
  EXPECT_EQ(benign.fields().at("ThreadId"), "47");
  EXPECT_FALSE(benign.fields().contains("oab.temporary_file"));
  EXPECT_EQ(file.records[0].event_time().seconds(), 1614754872);  // 2021-03-03T07:01:12Z

  const v1::AppLog& unc = file.records[1].app();
  EXPECT_EQ(unc.fields().at("Level"), "Error");
  EXPECT_EQ(unc.fields().at("oab.temporary_file"),
            "\\\\127.0.0.1\\c$\\Program Files\\Microsoft\\Exchange "
            "Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\shell.aspx");
  EXPECT_EQ(file.records[2].app().fields().at("oab.temporary_file"),
            "C:\\Program Files\\Microsoft\\Exchange "
            "Server\\V15\\ClientAccess\\OAB\\Temp\\a1b2.tmp");
}

TEST(OabGeneratorParser, WithoutFieldsATimePrefixIsSplitOffAndTheRestIsTheMessage) {
  OabGeneratorParser parser;
  v1::Event e;
  ASSERT_EQ(*parser.Parse("2021-03-03T07:01:13.002Z,Download failed and temporary file "
                          "'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx' needs to be removed",
                          e),
            LineKind::kRecord);
  EXPECT_EQ(e.event_time().seconds(), 1614754873);
  EXPECT_EQ(e.app().fields().at("oab.temporary_file"),
            "C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx");
  v1::Event prose;
  ASSERT_EQ(*parser.Parse("OAB generation started, 3 lists", prose), LineKind::kRecord);
  EXPECT_EQ(prose.app().message(), "OAB generation started, 3 lists");
  EXPECT_FALSE(prose.has_event_time());
}

TEST(OabGeneratorParser, TemporaryFileExtraction) {
  struct Case {
    const char* message;
    const char* path;
  };
  const std::vector<Case> cases = {
      {"Download failed and temporary file 'C:\\a b\\c.tmp' needs to be removed", "C:\\a b\\c.tmp"},
      {"Download failed and temporary file C:\\x.tmp needs to be removed", "C:\\x.tmp"},
      {"Download failed and temporary file 'C:\\x.tmp' was kept", ""},
      {"Download succeeded", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(OabGeneratorParser::TemporaryFile(c.message), c.path) << c.message;
  }
}

TEST(OabGeneratorParser, WrongFieldCountIsAnError) {
  OabGeneratorParser parser;
  v1::Event e;
  ASSERT_TRUE(parser.Parse("#Fields: DateTime,Level,Message,ThreadId", e).ok());
  auto few = parser.Parse("2021-03-03T07:01:12.345Z,Error,msg", e);
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().message(), "expected 4 fields as the header says, got 3");
  ASSERT_TRUE(parser.Parse("2021-03-03T07:01:12.345Z,Error,msg,9", e).ok());
  EXPECT_EQ(e.app().message(), "msg");
  EXPECT_EQ(e.app().fields().at("ThreadId"), "9");
}

}  // namespace
}  // namespace tripline::agent
