#include "agent/sources/file/file_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

constexpr const char* kHeader =
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Date: 2021-03-05 00:00:00\n"
    "#Fields: date time cs-method cs-uri-stem c-ip sc-status\n";

std::string Line(int i) {
  return "2021-03-05 03:00:0" + std::to_string(i % 10) + " GET /owa/" + std::to_string(i) +
         " 10.0.0." + std::to_string(i % 250) + " 200\n";
}

class FileSourceTest : public ::testing::Test {
 protected:
  FileSourceTest() {
    identity_.agent_id = "EXCH01";
    identity_.host.set_id("EXCH01");
    identity_.host.set_name("exch01");
  }
  std::unique_ptr<FileSource> Make(const std::string& state = "") {
    FileSourceConfig c;
    c.name = "iis";
    c.paths = {dir_.path() + "/W3SVC*/u_ex*.log"};
    c.format = "w3c";
    c.discover_interval = std::chrono::milliseconds(0);
    auto s = std::make_unique<FileSource>(c, &identity_);
    EXPECT_TRUE(s->Start(state).ok());
    return s;
  }
  // Polls until nothing new arrives; returns the events emitted.
  std::vector<v1::Event> Drain(FileSource& s) {
    std::vector<v1::Event> out;
    for (int quiet = 0; quiet < 3;) {
      size_t before = out.size();
      auto n = s.Poll(1 << 20, [&](const v1::Event& e) {
        out.push_back(e);
        return absl::OkStatus();
      });
      EXPECT_TRUE(n.ok()) << n.status();
      quiet = out.size() == before ? quiet + 1 : 0;
    }
    return out;
  }
  static std::vector<std::string> Paths(const std::vector<v1::Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.http().url_path());
    return out;
  }

  testing::TempDir dir_;
  AgentIdentity identity_;
};

TEST_F(FileSourceTest, GlobFindsFilesInEverySiteFolderAndFillsTheEnvelope) {
  dir_.Write("W3SVC1/u_ex210305.log", std::string(kHeader) + Line(1));
  dir_.Write("W3SVC2/u_ex210305.log", std::string(kHeader) + Line(2));
  dir_.Write("W3SVC2/other.txt", "not matched\n");
  auto s = Make();
  auto events = Drain(*s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(s->open_files(), 2u);
  for (const auto& e : events) {
    EXPECT_EQ(e.agent_id(), "EXCH01");
    EXPECT_EQ(e.host().name(), "exch01");
    EXPECT_EQ(e.source().kind(), v1::Source::KIND_FILE);
    EXPECT_EQ(e.source().format(), "w3c");
    EXPECT_EQ(e.source().position(), std::strlen(kHeader));
    EXPECT_EQ(e.event_id().size(), 32u);
    EXPECT_TRUE(e.has_http());
  }
  EXPECT_NE(events[0].event_id(), events[1].event_id());
  // A new site folder and file appear later.
  dir_.Write("W3SVC3/u_ex210306.log", std::string(kHeader) + Line(3));
  EXPECT_EQ(Paths(Drain(*s)), (std::vector<std::string>{"/owa/3"}));
}

TEST_F(FileSourceTest, ResumesAfterTheLastDurableRecordWithTheHeaderLayout) {
  std::string text = kHeader;
  for (int i = 0; i < 5; ++i) text += Line(i);
  dir_.Write("W3SVC1/u_ex1.log", text);
  std::string state;
  std::vector<std::string> first_ids;
  {
    auto s = Make();
    auto events = Drain(*s);
    ASSERT_EQ(events.size(), 5u);
    for (const auto& e : events) first_ids.push_back(e.event_id());
    state = s->DurableState(3);  // only the first three made it into the spool
  }
  dir_.Write("W3SVC1/u_ex1.log", Line(5), true);
  auto s = Make(state);
  auto events = Drain(*s);
  EXPECT_EQ(Paths(events), (std::vector<std::string>{"/owa/3", "/owa/4", "/owa/5"}));
  // Records read again keep their event ids; parsed with the #Fields layout from the head.
  EXPECT_EQ(events[0].event_id(), first_ids[3]);
  EXPECT_EQ(events[0].http().source_ip(), "10.0.0.3");
}

TEST_F(FileSourceTest, RenameRotationLosesAndDuplicatesNothing) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(0) + Line(1));
  auto s = Make();
  auto events = Drain(*s);
  dir_.Write("W3SVC1/u_ex.log", Line(2), true);
  std::filesystem::rename(dir_.File("W3SVC1/u_ex.log"), dir_.File("W3SVC1/u_ex.log.1"));
  dir_.Write("W3SVC1/u_ex.log.1", Line(3), true);  // a late write to the rotated file
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(4));
  auto more = Drain(*s);
  events.insert(events.end(), more.begin(), more.end());
  auto paths = Paths(events);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/owa/0", "/owa/1", "/owa/2", "/owa/3", "/owa/4"}));
  (void)s->DurableState(events.size());
  EXPECT_TRUE(Drain(*s).empty());
  EXPECT_EQ(s->open_files(), 1u);  // the rotated file was read to its end and let go
}

TEST_F(FileSourceTest, CopyTruncateStartsOverAndReadsTheNewContent) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(0) + Line(1));
  auto s = Make();
  EXPECT_EQ(Drain(*s).size(), 2u);
  // copytruncate: truncate in place, then the writer continues with more than before.
  ASSERT_EQ(::truncate(dir_.File("W3SVC1/u_ex.log").c_str(), 0), 0);
  std::string again = "#Software: Microsoft Internet Information Services 10.0\n"
                      "#Date: 2021-03-06 00:00:00\n"
                      "#Fields: date time cs-method cs-uri-stem c-ip sc-status\n";
  for (int i = 10; i < 15; ++i) again += Line(i);
  dir_.Write("W3SVC1/u_ex.log", again, true);
  EXPECT_EQ(Paths(Drain(*s)),
            (std::vector<std::string>{"/owa/10", "/owa/11", "/owa/12", "/owa/13", "/owa/14"}));
}

TEST_F(FileSourceTest, ANewFileOnAReusedInodeIsNotResumedAtTheOldOffset) {
  std::string text = std::string(kHeader) + Line(0) + Line(1) + Line(2);
  dir_.Write("W3SVC1/u_ex.log", text);
  std::string state;
  {
    auto s = Make();
    auto events = Drain(*s);
    state = s->DurableState(events.size());
  }
  // Same path and (rewritten in place) same inode, different content of a similar length.
  std::string other = "#Software: Microsoft Internet Information Services 10.0\n"
                      "#Date: 2021-03-09 00:00:00\n"
                      "#Fields: date time cs-method cs-uri-stem c-ip sc-status\n" +
                      Line(7) + Line(8) + Line(9);
  std::ofstream(dir_.File("W3SVC1/u_ex.log"), std::ios::trunc) << other;
  auto s = Make(state);
  EXPECT_EQ(Paths(Drain(*s)), (std::vector<std::string>{"/owa/7", "/owa/8", "/owa/9"}));
}

TEST_F(FileSourceTest, MalformedLineIsShippedUnparsedAndCounted) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + "garbage\n" + Line(1));
  auto s = Make();
  auto events = Drain(*s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].has_app());
  EXPECT_EQ(events[0].app().message(), "garbage");
  EXPECT_EQ(events[0].labels().at("parse_error"),
            "expected 6 fields as the #Fields: layout says, got 1");
  EXPECT_EQ(s->counters().parse_errors, 1u);
  EXPECT_EQ(s->counters().records, 2u);
}

// The source reuses one Event (and its body) from line to line: nothing of a record may leak
// into the next one, whatever the parser did with it.
TEST_F(FileSourceTest, NothingOfOneRecordLeaksIntoTheNext) {
  dir_.Write("W3SVC1/u_ex.log",
             "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs(Referer) sc-status\n"
             "2021-03-05 03:00:01 POST /owa/auth/x.aspx a=1 10.0.0.1 http://r/ 200\n"
             "garbage\n"
             "2021-03-05 03:00:02 GET /owa/ - 10.0.0.2 - 302\n"
             "#Fields: cs-method cs-uri-stem\n"
             "GET /ecp/y.js\n");
  auto s = Make();
  auto events = Drain(*s);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].http().url_query(), "a=1");
  EXPECT_EQ(events[0].http().referrer(), "http://r/");
  EXPECT_EQ(events[0].event_time().seconds(), 1614913201);
  EXPECT_TRUE(events[1].has_app());
  EXPECT_FALSE(events[1].has_http());
  // A rejected line belongs to the moment of the file's previous record, not to now: replaying
  // an old log must not move the correlator's watermark to today.
  EXPECT_EQ(events[1].event_time().seconds(), 1614913201);
  EXPECT_EQ(events[2].http().method(), "GET");
  EXPECT_EQ(events[2].http().url_query(), "");  // "-" is W3C for no value
  EXPECT_EQ(events[2].http().referrer(), "");
  EXPECT_EQ(events[2].http().status_code(), 302);
  EXPECT_TRUE(events[2].labels().empty());
  // A layout without date and time: no field of the earlier records, and the time of the file's
  // last timed record as event time.
  const v1::HttpRequest& last = events[3].http();
  EXPECT_EQ(last.url_path(), "/ecp/y.js");
  EXPECT_EQ(last.url_query(), "");
  EXPECT_EQ(last.source_ip(), "");
  EXPECT_EQ(last.referrer(), "");
  EXPECT_EQ(last.status_code(), 0);
  EXPECT_EQ(events[3].event_time().seconds(), 1614913202);
  EXPECT_NE(events[3].event_id(), events[2].event_id());
  EXPECT_GT(events[3].source().position(), events[2].source().position());
}

TEST_F(FileSourceTest, WithoutKeepOriginalOnlyUnparsedLinesCarryTheRawLine) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + "garbage\n" + Line(1));
  FileSourceConfig c;
  c.name = "iis";
  c.paths = {dir_.path() + "/W3SVC*/u_ex*.log"};
  c.format = "w3c";
  c.keep_original = false;
  FileSource s(c, &identity_);
  ASSERT_TRUE(s.Start("").ok());
  auto events = Drain(s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].original(), "garbage");
  // No timed record before it in the file: the time the agent read it.
  EXPECT_EQ(events[0].event_time().seconds(), events[0].observed_time().seconds());
  EXPECT_EQ(events[1].original(), "");
  EXPECT_EQ(events[1].http().url_path(), "/owa/1");
  // With keep_original (FileSourceConfig's default; the agent's config turns it off for W3C and
  // HttpProxy) the raw line travels with every record.
  auto kept = Drain(*Make());
  EXPECT_EQ(kept[1].original(), Line(1).substr(0, Line(1).size() - 1));
}

// A source that declares its logsource stamps it on every record (and only then), so that the
// correlator routes JSON lines of CloudTrail to the cloudtrail rules.
TEST_F(FileSourceTest, DeclaredLogsourceTravelsWithEveryRecord) {
  dir_.Write("ct/trail.jsonl",
             "{\"eventSource\":\"cloudtrail.amazonaws.com\",\"eventName\":\"StopLogging\"}\n"
             "not json\n"
             "{\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\"}\n");
  FileSourceConfig c;
  c.name = "cloudtrail";
  c.paths = {dir_.path() + "/ct/*.jsonl"};
  c.format = "json";
  c.logsource.set_product("aws");
  c.logsource.set_service("cloudtrail");
  FileSource s(c, &identity_);
  ASSERT_TRUE(s.Start("").ok());
  auto events = Drain(s);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_EQ(e.source().logsource().product(), "aws");
    EXPECT_EQ(e.source().logsource().service(), "cloudtrail");
    EXPECT_EQ(e.source().logsource().category(), "");
  }
  EXPECT_EQ(events[2].app().fields().at("eventName"), "CreateUser");
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(1));
  auto plain = Drain(*Make());
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_FALSE(plain[0].source().has_logsource());
}

TEST_F(FileSourceTest, RefusedRecordIsOfferedAgainAndNotCountedTwice) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(0) + Line(1));
  auto s = Make();
  int calls = 0;
  std::vector<std::string> got;
  auto emit = [&](const v1::Event& e) {
    if (++calls == 2) return absl::ResourceExhaustedError("spool full");
    got.push_back(e.http().url_path());
    return absl::OkStatus();
  };
  EXPECT_TRUE(absl::IsResourceExhausted(s->Poll(1 << 20, emit).status()));
  ASSERT_TRUE(s->Poll(1 << 20, emit).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"/owa/0", "/owa/1"}));
  EXPECT_EQ(s->counters().records, 2u);
}

TEST_F(FileSourceTest, StartAtEndSkipsWhatExistingFilesHoldOnTheFirstStartOnly) {
  dir_.Write("W3SVC1/u_ex.log", std::string(kHeader) + Line(0));
  FileSourceConfig c;
  c.name = "iis";
  c.paths = {dir_.path() + "/W3SVC*/u_ex*.log"};
  c.format = "w3c";
  c.start_at_end = true;
  c.discover_interval = std::chrono::milliseconds(0);
  FileSource s(c, &identity_);
  ASSERT_TRUE(s.Start("").ok());
  EXPECT_TRUE(Drain(s).empty());
  dir_.Write("W3SVC1/u_ex.log", Line(1), true);
  dir_.Write("W3SVC2/u_ex.log", std::string(kHeader) + Line(2));  // new later: from its head
  auto paths = Paths(Drain(s));
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/owa/1", "/owa/2"}));
}

}  // namespace
}  // namespace tripline::agent
