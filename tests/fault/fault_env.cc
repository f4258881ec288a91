#include "tests/fault/fault_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>

namespace tripline::fault {

using namespace std::chrono_literals;

TmpfsMount::TmpfsMount(std::string dir, const std::string& size) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  std::string options = "size=" + size + ",mode=0755";
  if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    error_ = "mount -t tmpfs -o " + options + " tmpfs " + dir_ + ": " + std::strerror(errno);
    return;
  }
  mounted_ = true;
}

TmpfsMount::~TmpfsMount() {
  if (!mounted_) return;
  if (::umount(dir_.c_str()) != 0) (void)::umount2(dir_.c_str(), MNT_DETACH);
}

bool SyslogReceiver::Start(uint16_t port) {
  std::filesystem::create_directories(dir_.File("rsyslog-work"));
  std::filesystem::remove(dir_.File("rsyslog.port"));
  // imtcp writes the port it bound to listenPortFileName only for port 0.
  dir_.Write("rsyslog.conf", "global(workDirectory=\"" + dir_.File("rsyslog-work") +
                                 "\" maxMessageSize=\"64k\")\nmodule(load=\"imtcp\")\n"
                                 "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
                                 "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" +
                                 std::to_string(port) + "\" listenPortFileName=\"" +
                                 dir_.File("rsyslog.port") +
                                 "\" supportOctetCountedFraming=\"on\" ruleset=\"alerts\")\n"
                                 "ruleset(name=\"alerts\") {\n  action(type=\"omfile\" file=\"" +
                                 dir_.File("received.log") + "\" template=\"raw\")\n}\n");
  process_ = std::make_unique<testing::Process>(
      std::vector<std::string>{"/usr/sbin/rsyslogd", "-n", "-f", dir_.File("rsyslog.conf"), "-i",
                               dir_.File("rsyslog.pid")},
      dir_.File("rsyslog.out"));
  if (port != 0) {
    port_ = port;
    return testing::WaitUntil(20s, [&] { return testing::LoopbackPortOpen(port); });
  }
  if (!testing::WaitUntil(20s,
                          [&] { return !testing::ReadFile(dir_.File("rsyslog.port")).empty(); })) {
    return false;
  }
  port_ = static_cast<uint16_t>(std::stoi(testing::ReadFile(dir_.File("rsyslog.port"))));
  return true;
}

bool SyslogReceiver::Stop() {
  if (!process_) return false;
  process_->Signal(SIGTERM);
  return process_->Wait(30s).has_value();
}

std::set<std::string> SyslogReceiver::Ids(uint64_t* messages) const {
  static const std::regex kId(" externalId=([^ ]+)");
  std::set<std::string> ids;
  uint64_t n = 0;
  for (const std::string& line :
       testing::NonEmptyLines(testing::ReadFile(dir_.File("received.log")))) {
    ++n;
    std::smatch m;
    if (std::regex_search(line, m, kId)) ids.insert(m[1]);
  }
  if (messages != nullptr) *messages = n;
  return ids;
}

std::string SyslogReceiver::Output() const { return testing::ReadFile(dir_.File("rsyslog.out")); }

}  // namespace tripline::fault
