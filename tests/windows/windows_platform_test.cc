// What the agent relies on from Windows file semantics, checked on Windows (or under Wine): a log
// the agent holds open can still be renamed and deleted by IIS's rotation, keeps its identity
// across the rename, and globs match like the file system (case-insensitively, either separator).
#include <windows.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <fstream>
#include <string>
#include <vector>

#include "agent/sources/file/file_tailer.h"
#include "common/file_util.h"
#include "common/platform/file.h"
#include "common/platform/wakeup.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wine.h"

namespace tripline {
namespace {

using testing::TempDir;
using testing::UnderWine;

std::vector<std::string> ReadLines(agent::FileTailer& tailer) {
  std::vector<std::string> lines;
  auto n = tailer.Poll(1 << 20, [&](const agent::TailedLine& l) {
    lines.emplace_back(l.text);
    return absl::OkStatus();
  });
  EXPECT_TRUE(n.ok()) << n.status();
  return lines;
}

TEST(WindowsFiles, AnOpenLogCanBeRenamedAndDeletedAndIsReadToItsEnd) {
  TempDir dir;
  std::string path = dir.Write("u_ex240101.log", "line 1\r\n");
  agent::FileTailer tailer(path, 1 << 16, agent::FileEncoding::kAuto);
  ASSERT_TRUE(tailer.Open().ok());
  EXPECT_EQ(ReadLines(tailer), std::vector<std::string>{"line 1\r"});
  const std::string id = tailer.inode_id();

  // IIS rotation by rename while the agent holds the file: refused without FILE_SHARE_DELETE.
  std::string renamed = dir.File("u_ex240101.log.1");
  ASSERT_TRUE(MoveFileExW(platform::Widen(path).c_str(), platform::Widen(renamed).c_str(), 0))
      << platform::Win32ErrorText(GetLastError());
  auto same = platform::RegularFileId(renamed);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, id) << "volume serial + file index must survive a rename";
  dir.Write("u_ex240101.log.1", "line 2\r\n", /*append=*/true);
  EXPECT_EQ(ReadLines(tailer), std::vector<std::string>{"line 2\r"});

  // A clean-up job deletes the rotated file while the agent still reads it.
  EXPECT_FALSE(tailer.Deleted());
  ASSERT_TRUE(DeleteFileW(platform::Widen(renamed).c_str()))
      << platform::Win32ErrorText(GetLastError());
  dir.Write("u_ex240101.log", "line 1 of a new file\r\n");  // IIS may reuse the name at once
  if (UnderWine()) {
    // Wine keeps the file until its last handle closes and reports no delete-pending state;
    // Windows reports DeletePending (or no links left with POSIX delete semantics).
    std::cout << "[ wine     ] delete-pending state not reported: not checked here\n";
  } else {
    EXPECT_TRUE(tailer.Deleted());
  }
  EXPECT_TRUE(tailer.Size().ok());  // still readable through the handle
}

// (A file index can be reused after a delete, like an inode: FileSource's head fingerprint tells
// such files apart, tested in file_source_test.)
TEST(WindowsFiles, IdentitiesNameRegularFilesOnly) {
  TempDir dir;
  std::string a = dir.Write("u_ex240102.log", "a\n");
  std::string b = dir.Write("u_ex240103.log", "b\n");
  auto first = platform::RegularFileId(a);
  auto second = platform::RegularFileId(b);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_TRUE(absl::IsFailedPrecondition(platform::RegularFileId(dir.path()).status()));
  EXPECT_TRUE(absl::IsNotFound(platform::RegularFileId(dir.File("missing.log")).status()));
}

TEST(WindowsFiles, GlobsMatchLikeTheFileSystem) {
  TempDir dir;
  dir.Write("W3SVC1/u_ex240101.log", "x");
  dir.Write("W3SVC2/u_ex240101.log", "x");
  dir.Write("W3SVC2/notes.txt", "x");
  dir.Write("HttpProxy/Owa/HttpProxy_2024010100-1.LOG", "x");
  // Upper case where the files are lower case, backslashes and slashes mixed.
  std::string root = dir.path();
  auto logs = platform::Glob(root + "\\w3svc*\\U_EX*.LOG");
  EXPECT_EQ(logs.size(), 2u);
  auto proxy = platform::Glob(root + "/httpproxy/*/*.log");
  ASSERT_EQ(proxy.size(), 1u);
  EXPECT_NE(proxy[0].find("HttpProxy_2024010100-1.LOG"), std::string::npos);
  EXPECT_EQ(platform::Glob(root + "\\W3SVC*", /*dirs_only=*/true).size(), 2u);
  EXPECT_TRUE(platform::Glob(root + "\\W3SVC9\\*.log").empty());
  EXPECT_TRUE(platform::IsAbsolutePath("C:\\inetpub\\logs"));
  EXPECT_TRUE(platform::IsAbsolutePath("\\\\server\\share\\x"));
  EXPECT_FALSE(platform::IsAbsolutePath("logs\\x"));
}

TEST(WindowsFiles, AnAtomicWriteReplacesTheFileWhole) {
  TempDir dir;
  std::string path = dir.File("state");
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second, longer").ok());
  EXPECT_EQ(*ReadWholeFile(path), "second, longer");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(WindowsWakeup, ASignalBeforeTheWaitIsKept) {
  platform::Wakeup w;
  ASSERT_TRUE(w.Open().ok());
  EXPECT_FALSE(w.Wait(std::chrono::milliseconds(0)));
  w.Signal();
  w.Signal();  // coalesced
  EXPECT_TRUE(w.Wait(std::chrono::milliseconds(1000)));
  EXPECT_FALSE(w.Wait(std::chrono::milliseconds(10)));
}

}  // namespace
}  // namespace tripline
