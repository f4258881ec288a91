// ReadDirectoryChangesW buffers and their translation into watcher events, fed as plain bytes:
// the same code runs on Windows, where only the handle I/O around it differs.
#include "agent/sources/fim/rdcw_notify.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace tripline::agent {
namespace {

struct Raw {
  uint32_t action;
  std::u16string name;
};

void PutU32(std::string* buf, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*buf)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

// The FILE_NOTIFY_INFORMATION chain the system would write: DWORD-aligned records.
std::string Buffer(const std::vector<Raw>& records) {
  std::string buf;
  size_t last = 0;
  for (const Raw& r : records) {
    size_t at = buf.size();
    size_t size = (12 + 2 * r.name.size() + 3) & ~size_t{3};
    buf.resize(at + size, '\0');
    PutU32(&buf, at + 4, r.action);
    PutU32(&buf, at + 8, static_cast<uint32_t>(2 * r.name.size()));
    for (size_t i = 0; i < r.name.size(); ++i) {
      buf[at + 12 + 2 * i] = static_cast<char>(r.name[i] & 0xff);
      buf[at + 13 + 2 * i] = static_cast<char>(r.name[i] >> 8);
    }
    if (at > 0) PutU32(&buf, last, static_cast<uint32_t>(at - last));
    last = at;
  }
  return buf;
}

TEST(RdcwNotifyTest, ParsesEveryRecordWithUtf8Names) {
  std::string buf = Buffer({{kFileActionAdded, u"shell.aspx"},
                            {kFileActionModified, u"owa\\auth\\caf\u00e9.aspx"},
                            {kFileActionRemoved, u"x"}});
  std::vector<NotifyRecord> records;
  ASSERT_TRUE(ParseNotifyBuffer(buf.data(), buf.size(), &records));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].action, kFileActionAdded);
  EXPECT_EQ(records[0].name, "shell.aspx");
  EXPECT_EQ(records[1].name, "owa\\auth\\caf\xc3\xa9.aspx");
  EXPECT_EQ(records[2].action, kFileActionRemoved);
}

TEST(RdcwNotifyTest, DamagedBufferKeepsTheRecordsBeforeTheDamage) {
  std::string buf = Buffer({{kFileActionAdded, u"a.aspx"}, {kFileActionAdded, u"b.aspx"}});
  std::vector<NotifyRecord> records;
  PutU32(&buf, 0, 4096);  // the first record points past the end
  EXPECT_FALSE(ParseNotifyBuffer(buf.data(), buf.size(), &records));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name, "a.aspx");

  records.clear();
  buf = Buffer({{kFileActionAdded, u"a.aspx"}});
  PutU32(&buf, 8, 1000);  // a name longer than the buffer
  EXPECT_FALSE(ParseNotifyBuffer(buf.data(), buf.size(), &records));
  EXPECT_TRUE(records.empty());
  EXPECT_FALSE(ParseNotifyBuffer(buf.data(), 0, &records));
  EXPECT_FALSE(ParseNotifyBuffer(buf.data(), 11, &records));
}

class TranslateTest : public ::testing::Test {
 protected:
  std::vector<FolderEvent> Translate(const std::vector<NotifyRecord>& records) {
    std::vector<FolderEvent> out;
    FolderQuery q{[&](const std::string& p) { return known_folders_.count(p) != 0; },
                  [&](const std::string& p) { return folders_now_.count(p) != 0; }};
    TranslateNotifications("C:\\www", records, q, &cookie_, &pending_, &out);
    return out;
  }

  std::set<std::string> known_folders_;
  std::set<std::string> folders_now_;
  uint32_t cookie_ = 0;
  PendingRename pending_;
};

TEST_F(TranslateTest, EachActionBecomesItsInotifyBits) {
  known_folders_ = {"C:\\www\\old"};
  folders_now_ = {"C:\\www\\new"};
  std::vector<FolderEvent> ev = Translate({{kFileActionAdded, "a\\shell.aspx"},
                                           {kFileActionAdded, "new"},
                                           {kFileActionModified, "a\\shell.aspx"},
                                           {kFileActionRemoved, "a\\shell.aspx"},
                                           {kFileActionRemoved, "old"},
                                           {99, "ignored"}});
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].mask, kFimCreate);
  EXPECT_EQ(ev[0].path, "C:\\www\\a\\shell.aspx");
  EXPECT_EQ(ev[1].mask, kFimCreate | kFimIsDir);
  EXPECT_EQ(ev[2].mask, kFimModify);  // no kFimCloseWrite: the settle timer releases it
  EXPECT_EQ(ev[3].mask, kFimDelete);
  EXPECT_EQ(ev[4].mask, kFimDelete | kFimIsDir);  // the notification alone would not say
  for (const FolderEvent& e : ev) EXPECT_EQ(e.cookie, 0u);
}

TEST_F(TranslateTest, RenamePairSharesANewCookie) {
  std::vector<FolderEvent> ev = Translate({{kFileActionRenamedOldName, "a.txt"},
                                           {kFileActionRenamedNewName, "a.aspx"},
                                           {kFileActionRenamedOldName, "b.txt"},
                                           {kFileActionRenamedNewName, "b.aspx"}});
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].mask, kFimMovedFrom);
  EXPECT_EQ(ev[1].mask, kFimMovedTo);
  EXPECT_NE(ev[0].cookie, 0u);
  EXPECT_EQ(ev[0].cookie, ev[1].cookie);
  EXPECT_EQ(ev[2].cookie, ev[3].cookie);
  EXPECT_NE(ev[0].cookie, ev[2].cookie);
}

TEST_F(TranslateTest, RenamePairSplitAcrossTwoBuffersIsStillAPair) {
  std::vector<FolderEvent> first = Translate({{kFileActionRenamedOldName, "auth"}});
  known_folders_ = {"C:\\www\\auth"};  // irrelevant now: the old half was judged already
  std::vector<FolderEvent> second = Translate({{kFileActionRenamedNewName, "auth2"}});
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].cookie, second[0].cookie);
}

TEST_F(TranslateTest, FolderRenameIsAFolderOnBothHalves) {
  known_folders_ = {"C:\\www\\auth"};  // the new name may already be gone again
  std::vector<FolderEvent> ev =
      Translate({{kFileActionRenamedOldName, "auth"}, {kFileActionRenamedNewName, "auth2"}});
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].mask, kFimMovedFrom | kFimIsDir);
  EXPECT_EQ(ev[1].mask, kFimMovedTo | kFimIsDir);
}

TEST_F(TranslateTest, UnpairedHalvesGetCookiesOfTheirOwn) {
  std::vector<FolderEvent> ev = Translate({{kFileActionRenamedOldName, "a.aspx"},
                                           {kFileActionAdded, "b.aspx"},
                                           {kFileActionRenamedNewName, "c.aspx"}});
  ASSERT_EQ(ev.size(), 3u);
  // The new name did not follow its old name: the detector sees a file moved out and one
  // moved in (a deletion and a creation), never a rename of a.aspx to c.aspx.
  EXPECT_NE(ev[0].cookie, ev[2].cookie);
  EXPECT_NE(ev[2].cookie, 0u);
}

TEST_F(TranslateTest, CookieNeverWrapsToZero) {
  cookie_ = UINT32_MAX;
  std::vector<FolderEvent> ev = Translate({{kFileActionRenamedOldName, "a"}});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].cookie, 1u);
}

TEST_F(TranslateTest, DriveRootJoinsWithoutDoubleSeparator) {
  std::vector<FolderEvent> out;
  FolderQuery q{[](const std::string&) { return false; }, [](const std::string&) { return false; }};
  TranslateNotifications("D:\\", {{kFileActionAdded, "x.aspx"}}, q, &cookie_, &pending_, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "D:\\x.aspx");
}

}  // namespace
}  // namespace tripline::agent
