#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace tripline::fault {

// A small tmpfs mounted on `dir` (created if needed), so that a spool there fills its
// filesystem for real (ENOSPC), not a quota. Needs root (CAP_SYS_ADMIN); ok() says whether the
// mount worked. The destructor unmounts it (lazily if something still holds it open).
class TmpfsMount {
 public:
  TmpfsMount(std::string dir, const std::string& size);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool ok() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Debian's rsyslogd as an alert receiver of the test's own: plain TCP on a loopback port
// (octet-counted frames), every message's raw form written as one line to received.log in `dir`.
// Stop() and Start(port) take it down and bring it back on the same port. The destructor kills
// it. The system's rsyslog is never touched.
class SyslogReceiver {
 public:
  explicit SyslogReceiver(const testing::TempDir& dir) : dir_(dir) {}

  // Starts on `port` (0: a free one); false when it did not listen within 20 s.
  bool Start(uint16_t port = 0);
  // SIGTERM (rsyslog writes what it read before it exits); false when it did not exit.
  bool Stop();
  uint16_t port() const { return port_; }
  // The alert ids received so far (CEF externalId), and how many messages in all.
  std::set<std::string> Ids(uint64_t* messages = nullptr) const;
  std::string Output() const;

 private:

  const testing::TempDir& dir_;
  uint16_t port_ = 0;
  std::unique_ptr<testing::Process> process_;
};

}  // namespace tripline::fault
