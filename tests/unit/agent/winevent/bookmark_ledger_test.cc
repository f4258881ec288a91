#include "agent/sources/winevent/bookmark_ledger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// The delivery contract of the winevent source: the saved bookmark of each channel is the one of
// its last durable record, never of a record only emitted.
namespace tripline::agent {
namespace {

const std::string kSecurity = "Security";
const std::string kSysmon = "Microsoft-Windows-Sysmon/Operational";
const std::string kExchange = "MSExchange Management";

// A bookmark as EvtRender(EvtRenderBookmark) writes it: line breaks and indentation included.
std::string Bookmark(const std::string& channel, uint64_t record_id) {
  return "<BookmarkList>\r\n  <Bookmark Channel='" + channel + "' RecordId='" +
         std::to_string(record_id) + "' IsCurrent='true'/>\r\n</BookmarkList>";
}

WineventMark Mark(const std::string& channel, uint64_t record_id, uint64_t generation = 0) {
  return {record_id, generation, Bookmark(channel, record_id)};
}

std::string Header() { return std::string(BookmarkLedger::kStateHeader) + "\n"; }

TEST(BookmarkLedgerTest, NothingSavedIsAFirstStart) {
  BookmarkLedger ledger;
  ASSERT_TRUE(ledger.Load("").ok());
  EXPECT_EQ(ledger.Durable(kSecurity), nullptr);
  EXPECT_EQ(ledger.Last(kSecurity), nullptr);
  EXPECT_EQ(ledger.DurableState(0), Header());
}

TEST(BookmarkLedgerTest, DurableCountMapsToEachChannelsLastDurableRecord) {
  BookmarkLedger ledger;
  ASSERT_TRUE(ledger.Load("").ok());
  // Emit order: S100 Y7 S101 X1 Y8 S102.
  ledger.Emitted(kSecurity, Mark(kSecurity, 100));
  ledger.Emitted(kSysmon, Mark(kSysmon, 7));
  ledger.Emitted(kSecurity, Mark(kSecurity, 101));
  ledger.Emitted(kExchange, Mark(kExchange, 1));
  ledger.Emitted(kSysmon, Mark(kSysmon, 8));
  ledger.Emitted(kSecurity, Mark(kSecurity, 102));
  EXPECT_EQ(ledger.emitted(), 6u);

  EXPECT_EQ(ledger.DurableState(0), Header());
  EXPECT_EQ(ledger.Durable(kSecurity), nullptr);

  ledger.DurableState(3);  // S100 Y7 S101
  ASSERT_NE(ledger.Durable(kSecurity), nullptr);
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 101));
  EXPECT_EQ(*ledger.Durable(kSysmon), Mark(kSysmon, 7));
  EXPECT_EQ(ledger.Durable(kExchange), nullptr);
  EXPECT_EQ(ledger.pending(), 3u);

  ledger.DurableState(5);  // ... X1 Y8
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 101));
  EXPECT_EQ(*ledger.Durable(kSysmon), Mark(kSysmon, 8));
  EXPECT_EQ(*ledger.Durable(kExchange), Mark(kExchange, 1));

  ledger.DurableState(6);
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 102));
  EXPECT_EQ(ledger.pending(), 0u);
}

TEST(BookmarkLedgerTest, StateNeverRunsAheadOfDurability) {
  BookmarkLedger ledger;
  ASSERT_TRUE(ledger.Load("").ok());
  for (uint64_t id = 1; id <= 4; ++id) ledger.Emitted(kSecurity, Mark(kSecurity, id));
  std::string state = ledger.DurableState(2);
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 2));
  EXPECT_EQ(state.find("RecordId='3'"), std::string::npos) << state;
  EXPECT_NE(state.find("RecordId='2'"), std::string::npos) << state;
  // Where a resubscription resumes: after the last emitted record, not the last durable one.
  EXPECT_EQ(*ledger.Last(kSecurity), Mark(kSecurity, 4));
  // A smaller count later (the agent never does this) does not move the state back.
  EXPECT_EQ(ledger.DurableState(1), state);
  // A count past what was emitted is everything emitted, and nothing more.
  ledger.DurableState(100);
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 4));
  ledger.Emitted(kSecurity, Mark(kSecurity, 5));
  EXPECT_EQ(*ledger.Durable(kSecurity), Mark(kSecurity, 4));
}

TEST(BookmarkLedgerTest, StateRoundTripsAndRestartResumesAtTheDurableBookmark) {
  BookmarkLedger before;
  ASSERT_TRUE(before.Load("").ok());
  before.Emitted(kSysmon, Mark(kSysmon, 70190, 2));
  before.Emitted(kExchange, Mark(kExchange, 5521));
  // Tabs, backslashes and line breaks in a bookmark survive the line format.
  before.Emitted(kSecurity, {1200455, 0, "a\tb\\c\nd\re\\n"});
  before.Emitted(kSecurity, Mark(kSecurity, 1200456));  // not durable
  const std::string state = before.DurableState(3);
  EXPECT_EQ(std::count(state.begin(), state.end(), '\n'), 4) << state;

  BookmarkLedger after;
  ASSERT_TRUE(after.Load(state).ok()) << state;
  EXPECT_EQ(*after.Durable(kSysmon), Mark(kSysmon, 70190, 2));
  EXPECT_EQ(*after.Durable(kExchange), Mark(kExchange, 5521));
  EXPECT_EQ(*after.Durable(kSecurity), (WineventMark{1200455, 0, "a\tb\\c\nd\re\\n"}));
  EXPECT_EQ(*after.Last(kSecurity), *after.Durable(kSecurity));
  EXPECT_EQ(after.DurableState(0), state);
  // Emitted records are counted from the restart.
  after.Emitted(kSecurity, Mark(kSecurity, 1200456));
  after.DurableState(1);
  EXPECT_EQ(*after.Durable(kSecurity), Mark(kSecurity, 1200456));
}

TEST(BookmarkLedgerTest, AStateItCannotReadIsAnError) {
  const std::string h = Header();
  const std::vector<std::string> bad = {
      "garbage",
      "tripline-winevent-state v2\nSecurity\t1\t0\tx\n",
      "tripline-evtx-state v1\n",
      h + "Security\tone\t0\t<BookmarkList/>\n",
      h + "Security\t1\t0\n",
      h + "Security\t1\t0\t<BookmarkList/>\textra\n",
      h + "Security\t1\t-1\t<BookmarkList/>\n",
      h + "\t1\t0\t<BookmarkList/>\n",
      h + "Security\t1\t0\tbad escape \\q\n",
      h + "Security\t1\t0\tends in a backslash \\\n",
      h + "Security\t1\t0\ta\nSecurity\t2\t0\tb\n",  // the same channel twice
  };
  for (const std::string& state : bad) {
    BookmarkLedger ledger;
    EXPECT_FALSE(ledger.Load(state).ok()) << state;
  }
  BookmarkLedger ledger;
  absl::Status st = ledger.Load(h + "System\t1\t0\tx\nSecurity\tone\t0\tx\n");
  EXPECT_NE(st.message().find("line 3"), std::string_view::npos) << st;
}

TEST(BookmarkLedgerTest, RenumberedRecordsStartANewGeneration) {
  BookmarkLedger ledger;
  ASSERT_TRUE(ledger.Load("").ok());
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 500), 0u);
  ledger.Emitted(kSecurity, Mark(kSecurity, 500));
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 501), 0u);
  // The log was cleared: numbering restarts at 1.
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 1), 1u);
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 500), 1u);
  ledger.Emitted(kSecurity, Mark(kSecurity, 1, 1));
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 2), 1u);
  EXPECT_EQ(ledger.GenerationOf(kSysmon, 1), 0u);  // per channel
}

TEST(BookmarkLedgerTest, LostPositionResubscribesWithoutBookmarkButKeepsTheSavedOne) {
  BookmarkLedger ledger;
  ASSERT_TRUE(ledger.Load(Header() + "Security\t900\t3\t" + "<BookmarkList/>\n").ok());
  ledger.PositionLost(kSecurity);
  ASSERT_NE(ledger.Last(kSecurity), nullptr);
  EXPECT_TRUE(ledger.Last(kSecurity)->bookmark.empty());
  EXPECT_EQ(ledger.Last(kSecurity)->generation, 4u);
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 1), 4u);  // the oldest record of the wrapped log
  EXPECT_EQ(ledger.GenerationOf(kSecurity, 950), 4u);
  // Until a record of the new generation is durable, a restart finds the same gap.
  std::string state = ledger.DurableState(0);
  EXPECT_NE(state.find("Security\t900\t3\t"), std::string::npos) << state;
  ledger.Emitted(kSecurity, Mark(kSecurity, 950, 4));
  state = ledger.DurableState(1);
  EXPECT_NE(state.find("Security\t950\t4\t"), std::string::npos) << state;
}

}  // namespace
}  // namespace tripline::agent
