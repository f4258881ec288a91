#include "agent/sources/host/service_source.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "common/hash.h"
#include "tests/unit/agent/host/host_test_util.h"

namespace tripline::agent {
namespace {

using testing::Collector;
using Action = v1::ServiceChange::Action;

constexpr char kEvil[] = R"([Unit]
Description=Exchange helper

[Service]
Type=simple
ExecStart=-/opt/evil/bin/beacon --c2 203.0.113.7 \
    --quiet
User=nobody
Restart=always

[Install]
WantedBy=multi-user.target
)";

class ServiceSourceTest : public ::testing::Test {
 protected:
  ServiceSourceTest()
      : etc_(dir_.Make("etc/systemd/system")), lib_(dir_.Make("lib/systemd/system")) {
    dir_.Make("etc/init.d");
    dir_.Write("lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
  }

  ServiceSourceConfig Config() const {
    ServiceSourceConfig c;
    c.unit_dirs = {etc_, lib_};
    c.sysv_dirs = {dir_.path() + "/etc/init.d"};
    c.scan_interval = std::chrono::hours(1);  // tests scan on request
    c.boot_id = "test-boot";
    return c;
  }

  // Asks for a scan and returns what it emitted.
  std::vector<v1::Event> ScanNow(ServiceSource& source) {
    Collector out;
    source.RequestScan();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(source.Poll(1 << 20, out.Fn()).ok());
    emitted_ += out.events.size();
    return out.events;
  }

  testing::TempDir dir_;
  std::string etc_;
  std::string lib_;
  AgentIdentity identity_ = testing::TestIdentity();
  uint64_t emitted_ = 0;
};

TEST_F(ServiceSourceTest, FirstStartIsASilentBaseline) {
  ServiceSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  EXPECT_TRUE(ScanNow(source).empty());
  EXPECT_EQ(source.known_services(), 1u);
}

TEST_F(ServiceSourceTest, ReportExistingReportsWhatIsThere) {
  ServiceSourceConfig config = Config();
  config.report_existing = true;
  ServiceSource source(config, &identity_);
  ASSERT_TRUE(source.Start("").ok());
  auto events = ScanNow(source);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].service().action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(events[0].service().name(), "ssh.service");
  EXPECT_EQ(events[0].service().executable(), "/usr/sbin/sshd");
  EXPECT_EQ(events[0].service().start_type(), "static");
}

TEST_F(ServiceSourceTest, InstalledChangedRemoved) {
  ServiceSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  dir_.Write("etc/systemd/system/exchange-helper.service", kEvil);
  auto installed = ScanNow(source);
  ASSERT_EQ(installed.size(), 1u);
  const v1::ServiceChange& s = installed[0].service();
  EXPECT_EQ(s.action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(s.name(), "exchange-helper.service");
  EXPECT_EQ(s.display_name(), "Exchange helper");
  EXPECT_EQ(s.executable(), "/opt/evil/bin/beacon");
  EXPECT_EQ(s.account(), "nobody");
  EXPECT_EQ(s.start_type(), "disabled");
  EXPECT_EQ(s.service_type(), "systemd");
  EXPECT_EQ(installed[0].labels().at("exec_start"),
            "-/opt/evil/bin/beacon --c2 203.0.113.7  --quiet");
  EXPECT_EQ(installed[0].labels().at("wanted_by"), "multi-user.target");
  EXPECT_EQ(installed[0].source().path(), etc_ + "/exchange-helper.service");
  EXPECT_EQ(installed[0].event_id(), EventId(identity_.agent_id, "service:test-boot", 0));
  EXPECT_TRUE(ScanNow(source).empty()) << "an unchanged unit is not reported again";

  dir_.Write("etc/systemd/system/exchange-helper.service",
             "[Service]\nExecStart=\"/tmp/x y/run\" -a\nUser=www-data\n");
  auto changed = ScanNow(source);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].service().action(), v1::ServiceChange::ACTION_CHANGED);
  EXPECT_EQ(changed[0].service().executable(), "/tmp/x y/run");
  EXPECT_EQ(changed[0].service().account(), "www-data");
  EXPECT_EQ(changed[0].source().position(), 1u);

  std::filesystem::remove(etc_ + "/exchange-helper.service");
  auto removed = ScanNow(source);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].service().action(), v1::ServiceChange::ACTION_REMOVED);
  EXPECT_EQ(removed[0].service().name(), "exchange-helper.service");
  EXPECT_EQ(removed[0].service().executable(), "/tmp/x y/run");
  EXPECT_EQ(removed[0].service().account(), "www-data");
}

TEST_F(ServiceSourceTest, EnablingAndDropInsAreChanges) {
  dir_.Write("etc/systemd/system/exchange-helper.service", kEvil);
  ServiceSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  std::filesystem::create_directories(etc_ + "/multi-user.target.wants");
  std::filesystem::create_symlink(etc_ + "/exchange-helper.service",
                                  etc_ + "/multi-user.target.wants/exchange-helper.service");
  auto enabled = ScanNow(source);
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(enabled[0].service().action(), v1::ServiceChange::ACTION_CHANGED);
  EXPECT_EQ(enabled[0].service().start_type(), "enabled");

  dir_.Write("lib/systemd/system/ssh.service.d/override.conf",
             "[Service]\nExecStart=\nExecStart=/dev/shm/sshd\n");
  auto overridden = ScanNow(source);
  ASSERT_EQ(overridden.size(), 1u);
  EXPECT_EQ(overridden[0].service().name(), "ssh.service");
  EXPECT_EQ(overridden[0].service().executable(), "/dev/shm/sshd");
}

TEST_F(ServiceSourceTest, SysvScripts) {
  ServiceSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  dir_.Write("etc/init.d/updater",
             "#!/bin/sh\n### BEGIN INIT INFO\n# Short-Description: system updater\n"
             "### END INIT INFO\n/usr/local/bin/upd &\n");
  dir_.Make("etc/rc2.d");
  std::filesystem::create_symlink("../init.d/updater", dir_.path() + "/etc/rc2.d/S01updater");
  auto events = ScanNow(source);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].service().action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(events[0].service().name(), "updater");
  EXPECT_EQ(events[0].service().service_type(), "sysv");
  EXPECT_EQ(events[0].service().start_type(), "enabled");
  EXPECT_EQ(events[0].service().display_name(), "system updater");
  EXPECT_EQ(events[0].service().executable(), dir_.path() + "/etc/init.d/updater");
}

TEST_F(ServiceSourceTest, RestartFromDurableStateDoesNotReportAgain) {
  std::string state;
  {
    ServiceSource source(Config(), &identity_);
    ASSERT_TRUE(source.Start("").ok());
    dir_.Write("etc/systemd/system/exchange-helper.service", kEvil);
    ASSERT_EQ(ScanNow(source).size(), 1u);
    state = source.DurableState(1);
  }
  ServiceSource restarted(Config(), &identity_);
  ASSERT_TRUE(restarted.Start(state).ok());
  EXPECT_TRUE(ScanNow(restarted).empty());
  // A change made while the agent was stopped is reported at the next start, numbered on.
  std::filesystem::remove(etc_ + "/exchange-helper.service");
  std::string state2 = restarted.DurableState(0);
  ServiceSource again(Config(), &identity_);
  ASSERT_TRUE(again.Start(state2).ok());
  auto events = ScanNow(again);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].service().action(), v1::ServiceChange::ACTION_REMOVED);
  EXPECT_EQ(events[0].source().position(), 1u);
}

TEST_F(ServiceSourceTest, ChangeNotYetDurableIsReportedAgainWithTheSameId) {
  std::string state;
  std::string first_id;
  {
    ServiceSource source(Config(), &identity_);
    ASSERT_TRUE(source.Start("").ok());
    dir_.Write("etc/systemd/system/exchange-helper.service", kEvil);
    auto events = ScanNow(source);
    ASSERT_EQ(events.size(), 1u);
    first_id = events[0].event_id();
    state = source.DurableState(0);  // the crash came before the spool took it
  }
  ServiceSource restarted(Config(), &identity_);
  ASSERT_TRUE(restarted.Start(state).ok());
  auto events = ScanNow(restarted);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].service().action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(events[0].event_id(), first_id);
}

TEST_F(ServiceSourceTest, RefusedEmitIsRetriedAndUnreadableStateRefused) {
  ServiceSource source(Config(), &identity_);
  ASSERT_TRUE(source.Start("").ok());
  dir_.Write("etc/systemd/system/a.service", "[Service]\nExecStart=/bin/a\n");
  Collector out;
  out.refuse = 1;
  source.RequestScan();
  EXPECT_TRUE(absl::IsResourceExhausted(source.Poll(1 << 20, out.Fn()).status()));
  EXPECT_TRUE(source.Poll(1 << 20, out.Fn()).ok());
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].source().position(), 0u);

  ServiceSource bad(Config(), &identity_);
  EXPECT_FALSE(bad.Start("tripline-service-state v1 b 0\nonly-one-field\n").ok());
}

}  // namespace
}  // namespace tripline::agent
