// Hostile input through a FileSource, as the agent reads it: an over-long line, invalid UTF-8
// and UTF-16, CSV with an unbalanced quote, JSON nested a million levels deep. Each gives one
// counted problem with a clear message on the event, and the next good line is still read.
// (EVTX with damaged chunks: windows/evtx_damaged_chunk_test.cc; rules with catastrophic
// regular expressions: correlator/engine/hostile_rule_test.cc.)
#include <gtest/gtest.h>

#include "agent/sources/file/file_source.h"
#include "common/utf8.h"
#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

class HostileInputTest : public ::testing::Test {
 protected:
  // Reads `name` (written with `bytes`) to its end with a source of `format`.
  std::vector<v1::Event> Read(const std::string& format, const std::string& bytes,
                              size_t max_line_bytes = 64 * 1024) {
    dir_.Write("input.log", bytes);
    FileSourceConfig c;
    c.name = "hostile";
    c.paths = {dir_.File("*.log")};
    c.format = format;
    c.max_line_bytes = max_line_bytes;
    c.discover_interval = std::chrono::milliseconds(0);
    source_ = std::make_unique<FileSource>(c, &identity_);
    EXPECT_TRUE(source_->Start("").ok());
    std::vector<v1::Event> out;
    for (int quiet = 0; quiet < 3;) {
      size_t before = out.size();
      auto n = source_->Poll(1 << 20, [&](const v1::Event& e) {
        out.push_back(e);
        return absl::OkStatus();
      });
      EXPECT_TRUE(n.ok()) << n.status();
      quiet = out.size() == before ? quiet + 1 : 0;
    }
    return out;
  }
  const SourceCounters& counters() const { return source_->counters(); }

  // What the correlator does with a shipped event: proto3 refuses a string that is not UTF-8.
  static void ExpectDecodable(const v1::Event& e) {
    std::string wire;
    ASSERT_TRUE(e.SerializeToString(&wire));
    v1::Event back;
    EXPECT_TRUE(back.ParseFromString(wire)) << "the correlator could not decode this event";
  }
  static std::string Label(const v1::Event& e, const std::string& key) {
    auto it = e.labels().find(key);
    return it == e.labels().end() ? "" : it->second;
  }

  testing::TempDir dir_;
  AgentIdentity identity_{"agent-1", {}};
  std::unique_ptr<FileSource> source_;
};

TEST_F(HostileInputTest, OversizeLineIsCutOnACharacterBoundaryCountedAndTheNextLineRead) {
  // 'é' (2 bytes) straddles the 1024-byte limit; the line goes on for 1 MiB.
  std::string huge = std::string(1023, 'x') + "\xC3\xA9" + std::string(1 << 20, 'y');
  auto events = Read("plain", "first\n" + huge + "\nnext\n", 1024);
  ASSERT_EQ(events.size(), 3u);
  const v1::Event& cut = events[1];
  EXPECT_EQ(cut.app().message(), std::string(1023, 'x'));  // not half a character
  EXPECT_EQ(Label(cut, "truncated"), "true");
  EXPECT_TRUE(cut.original_truncated());
  EXPECT_EQ(counters().truncated, 1u);
  EXPECT_EQ(counters().encoding_errors, 0u);
  ExpectDecodable(cut);
  EXPECT_EQ(events[2].app().message(), "next");
  EXPECT_EQ(events[2].source().position(), 6u + huge.size() + 1u);
}

TEST_F(HostileInputTest, InvalidUtf8IsReplacedCountedAndStillParsed) {
  // A stray continuation byte, a byte never used in UTF-8, a truncated sequence, an encoded
  // surrogate, an overlong '/' in one JSON line: eight U+FFFD (one per maximal ill-formed
  // subpart, as Unicode recommends: the last two are 3 and 2 of them).
  std::string bad = "{\"msg\":\"a\x80 b\xFF c\xE2\x82 d\xED\xA0\x80 e\xC0\xAF\",\"user\":\"bob\"}";
  auto events = Read("json", bad + "\n{\"msg\":\"good\"}\n");
  ASSERT_EQ(events.size(), 2u);
  const v1::Event& e = events[0];
  EXPECT_EQ(Label(e, "parse_error"), "");  // repaired before parsing: the fields are kept
  EXPECT_EQ(e.app().fields().at("user"), "bob");
  EXPECT_TRUE(IsValidUtf8(e.app().message()));
  EXPECT_NE(e.app().message().find(kReplacement), std::string::npos);
  EXPECT_TRUE(IsValidUtf8(e.original()));
  EXPECT_EQ(Label(e, "encoding_error"), "8 invalid UTF-8 sequence(s) replaced by U+FFFD");
  EXPECT_EQ(counters().encoding_errors, 1u);
  EXPECT_EQ(counters().parse_errors, 0u);
  ExpectDecodable(e);
  EXPECT_EQ(events[1].app().message(), "good");
  EXPECT_EQ(Label(events[1], "encoding_error"), "");
}

TEST_F(HostileInputTest, InvalidUtf8InAParseErrorMessageStaysDecodable) {
  // The W3C error quotes the first bytes of a bad value; they end inside a 3-byte character.
  std::string header = "#Fields: date time sc-status\n";
  std::string value = std::string(62, '9') + "\xE2\x82\xAC";  // '€' across byte 64
  auto events =
      Read("w3c", header + "2021-03-05 03:00:00 " + value + "\n2021-03-05 03:00:01 200\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(Label(events[0], "parse_error"), "");
  EXPECT_TRUE(IsValidUtf8(Label(events[0], "parse_error")));
  EXPECT_EQ(counters().parse_errors, 1u);
  ExpectDecodable(events[0]);
  EXPECT_EQ(events[1].http().status_code(), 200);
}

TEST_F(HostileInputTest, InvalidUtf16IsReplacedCountedAndTheNextLineRead) {
  auto utf16 = [](std::u16string_view s) {
    std::string out;
    for (char16_t c : s) {
      out.push_back(static_cast<char>(c & 0xFF));
      out.push_back(static_cast<char>(c >> 8));
    }
    return out;
  };
  std::string bytes = "\xFF\xFE" + utf16(u"first\n") + utf16(u"lone ") +
                      utf16(std::u16string(1, 0xD800)) + utf16(u" high, lone ") +
                      utf16(std::u16string(1, 0xDC00)) + utf16(u" low\n") +
                      utf16(u"caf\u00e9 \U0001F600\n");
  auto events = Read("plain", bytes);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].app().message(), "first");
  EXPECT_EQ(events[1].app().message(), "lone " + std::string(kReplacement) + " high, lone " +
                                           std::string(kReplacement) + " low");
  EXPECT_EQ(Label(events[1], "encoding_error"), "2 invalid UTF-16 sequence(s) replaced by U+FFFD");
  EXPECT_EQ(counters().encoding_errors, 1u);
  ExpectDecodable(events[1]);
  EXPECT_EQ(events[2].app().message(), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_F(HostileInputTest, CsvWithAnUnbalancedQuoteIsOneParseErrorAndTheNextRecordIsRead) {
  auto events = Read("csv",
                     "timestamp,clientip,urlpath\n"
                     "2021-03-05T03:00:00Z,10.0.0.1,\"/owa/never-closed\n"
                     "2021-03-05T03:00:01Z,10.0.0.2,/owa/ok\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Label(events[0], "parse_error"), "unterminated quoted field starting at column 31");
  EXPECT_EQ(events[0].app().message(), "2021-03-05T03:00:00Z,10.0.0.1,\"/owa/never-closed");
  EXPECT_EQ(counters().parse_errors, 1u);
  EXPECT_EQ(events[1].http().url_path(), "/owa/ok");
  EXPECT_EQ(Label(events[1], "parse_error"), "");
}

TEST_F(HostileInputTest, JsonNestedAMillionLevelsDeepIsOneParseErrorNotACrash) {
  const size_t depth = 1'000'000;
  std::string arrays = "{\"a\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  std::string objects;
  for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100'000, '}');
  for (const std::string format : {"json", "winevent_json"}) {
    SCOPED_TRACE(format);
    auto events =
        Read(format, arrays + "\n" + objects + "\n{\"msg\":\"ok\",\"EventID\":4624}\n", 4 << 20);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_NE(Label(events[0], "parse_error").find("JSON nested deeper than 64 levels"),
              std::string::npos)
        << Label(events[0], "parse_error");
    EXPECT_NE(Label(events[1], "parse_error").find("JSON nested deeper than 64 levels"),
              std::string::npos);
    EXPECT_EQ(counters().parse_errors, 2u);
    EXPECT_EQ(Label(events[2], "parse_error"), "");
  }
}

}  // namespace
}  // namespace tripline::agent
