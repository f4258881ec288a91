#include "agent/normalize/windows/windows_event_normalizer.h"

#include <gtest/gtest.h>

#include "agent/normalize/windows/field_reader.h"
#include "agent/normalize/windows/windows_time.h"

namespace tripline::agent {
namespace {

WindowsEventRecord Record(std::string channel, std::string provider, uint32_t id,
                          std::map<std::string, std::string> data) {
  WindowsEventRecord r;
  r.channel = std::move(channel);
  r.provider = std::move(provider);
  r.event_id = id;
  r.data = std::move(data);
  return r;
}

v1::Event Normalize(const WindowsEventRecord& r) {
  WindowsEventNormalizer normalizer;
  v1::Event event;
  normalizer.Normalize(r, event);
  return event;
}

TEST(WindowsEventNormalizerTest, Security4688HexPidsAndSubject) {
  auto r = Record("Security", "Microsoft-Windows-Security-Auditing", 4688,
                  {{"NewProcessName", "C:\\Windows\\System32\\cmd.exe"},
                   {"NewProcessId", "0x1a2b"},
                   {"CommandLine", "cmd /c whoami"},
                   {"ProcessId", "0x9ac"},
                   {"ParentProcessName", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"},
                   {"SubjectUserName", "EXCH01$"},
                   {"SubjectDomainName", "CONTOSO"},
                   {"MandatoryLabel", "S-1-16-16384"}});
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_process());
  EXPECT_EQ(e.process().process().pid(), 6699);
  EXPECT_EQ(e.process().process().name(), "cmd.exe");
  EXPECT_EQ(e.process().process().command_line(), "cmd /c whoami");
  EXPECT_EQ(e.process().parent().pid(), 0x9ac);
  EXPECT_EQ(e.process().parent().name(), "w3wp.exe");
  EXPECT_EQ(e.process().user_name(), "EXCH01$");
  EXPECT_EQ(e.process().user_domain(), "CONTOSO");
  EXPECT_EQ(e.process().integrity_level(), "System");
}

// Sysmon 13.30+ names the parent's account; the cross-user and SYSTEM-child rules need it.
TEST(WindowsEventNormalizerTest, SysmonProcessStartKeepsParentUserLogonAndFileVersion) {
  auto r = Record("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 1,
                  {{"Image", "C:\\Windows\\System32\\cmd.exe"},
                   {"User", "CONTOSO\\alice"},
                   {"ParentUser", "NT AUTHORITY\\SYSTEM"},
                   {"LogonId", "0x5ab21"},
                   {"FileVersion", "10.0.19041.1 (WinBuild.160101.0800)"}});
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_process());
  EXPECT_EQ(e.process().parent_user_name(), "NT AUTHORITY\\SYSTEM");
  EXPECT_EQ(e.process().logon_id(), "0x5ab21");
  EXPECT_EQ(e.process().file_version(), "10.0.19041.1 (WinBuild.160101.0800)");
  // 4688 names no parent account: it stays empty (absent for rules), not guessed.
  auto sec = Record("Security", "Microsoft-Windows-Security-Auditing", 4688,
                    {{"NewProcessName", "C:\\Windows\\System32\\cmd.exe"},
                     {"SubjectUserName", "alice"},
                     {"SubjectLogonId", "0x5ab21"}});
  e = Normalize(sec);
  EXPECT_EQ(e.process().logon_id(), "0x5ab21");
  EXPECT_EQ(e.process().parent_user_name(), "");
}

TEST(WindowsEventNormalizerTest, Security4697NumbersBecome7045Words) {
  auto r = Record("Security", "Microsoft-Windows-Security-Auditing", 4697,
                  {{"ServiceName", "WinnetSvc"},
                   {"ServiceFileName", "C:\\ProgramData\\VSPerfMon\\svc.exe"},
                   {"ServiceType", "0x10"},
                   {"ServiceStartType", "2"},
                   {"ServiceAccount", "LocalSystem"}});
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_service());
  EXPECT_EQ(e.service().action(), v1::ServiceChange::ACTION_INSTALLED);
  EXPECT_EQ(e.service().name(), "WinnetSvc");
  EXPECT_EQ(e.service().executable(), "C:\\ProgramData\\VSPerfMon\\svc.exe");
  EXPECT_EQ(e.service().start_type(), "auto start");
  EXPECT_EQ(e.service().service_type(), "user mode service");
  EXPECT_EQ(e.service().account(), "LocalSystem");
}

TEST(WindowsEventNormalizerTest, System7045NamedAndPositional) {
  auto named = Record("System", "Service Control Manager", 7045,
                      {{"ServiceName", "PSEXESVC"},
                       {"ImagePath", "%SystemRoot%\\PSEXESVC.exe"},
                       {"ServiceType", "user mode service"},
                       {"StartType", "demand start"},
                       {"AccountName", "LocalSystem"}});
  auto positional = Record("System", "Service Control Manager", 7045,
                           {{"param1", "PSEXESVC"},
                            {"param2", "%SystemRoot%\\PSEXESVC.exe"},
                            {"param3", "user mode service"},
                            {"param4", "demand start"},
                            {"param5", "LocalSystem"}});
  for (const auto& r : {named, positional}) {
    v1::Event e = Normalize(r);
    ASSERT_TRUE(e.has_service());
    EXPECT_EQ(e.service().name(), "PSEXESVC");
    EXPECT_EQ(e.service().executable(), "%SystemRoot%\\PSEXESVC.exe");
    EXPECT_EQ(e.service().start_type(), "demand start");
    EXPECT_EQ(e.service().account(), "LocalSystem");
  }
}

TEST(WindowsEventNormalizerTest, SysmonFileDeleteAndRegistryStaysWindowsEvent) {
  auto del = Record("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 23,
                    {{"TargetFilename", "C:\\inetpub\\wwwroot\\aspnet_client\\x.ASPX"},
                     {"Image", "C:\\Windows\\System32\\cmd.exe"}});
  v1::Event e = Normalize(del);
  ASSERT_TRUE(e.has_file());
  EXPECT_EQ(e.file().action(), v1::FileChange::ACTION_DELETED);
  EXPECT_EQ(e.file().extension(), "aspx");
  auto reg = Record("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 13,
                    {{"TargetObject", "HKLM\\System\\x"}, {"Details", "DWORD (0x00000001)"}});
  reg.record_id = 77;
  reg.level = 4;
  e = Normalize(reg);
  ASSERT_TRUE(e.has_windows());
  EXPECT_EQ(e.windows().event_code(), 13u);
  EXPECT_EQ(e.windows().record_id(), 77u);
  EXPECT_EQ(e.windows().data().at("TargetObject"), "HKLM\\System\\x");
  EXPECT_EQ(e.windows().data().at("Details"), "DWORD (0x00000001)");
}

TEST(WindowsEventNormalizerTest, CmdletFromPositionalEvtxData) {
  // As the MSExchange Management channel stores it: unnamed Data strings.
  auto r = Record("MSExchange Management", "MSExchange CmdletLogs", 1,
                  {{"param1", "New-ManagementRoleAssignment"},
                   {"param2", "-Role \"Mailbox Import Export\" -User \"attacker\""},
                   {"param3", "contoso.com/Users/Administrator"},
                   {"param4", "S-1-5-21-1-2-3-500"}});
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_cmdlet());
  EXPECT_EQ(e.cmdlet().name(), "New-ManagementRoleAssignment");
  EXPECT_EQ(e.cmdlet().parameters().at("Role"), "Mailbox Import Export");
  EXPECT_EQ(e.cmdlet().parameters().at("User"), "attacker");
  EXPECT_EQ(e.cmdlet().user_name(), "contoso.com/Users/Administrator");
  EXPECT_EQ(e.cmdlet().origin(), "msexchange_management");
  EXPECT_TRUE(e.cmdlet().succeeded());
  EXPECT_EQ(e.cmdlet().command_line(),
            "New-ManagementRoleAssignment -Role \"Mailbox Import Export\" -User \"attacker\"");
}

TEST(WindowsEventNormalizerTest, FailedCmdletCarriesTheException) {
  auto r = Record("MSExchange Management", "MSExchange CmdletLogs", 6,
                  {{"param1", "New-MailboxExportRequest"},
                   {"param2", "-Mailbox \"a\" -FilePath \"\\\\x\\c$\\y.pst\""},
                   {"param3", "u"}, {"param4", "S-1"}, {"param5", "S-1"},
                   {"param6", "ServerRemoteHost"},
                   {"param7", "Microsoft.Exchange.Data.DataValidationException: bad path"}});
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_cmdlet());
  EXPECT_FALSE(e.cmdlet().succeeded());
  EXPECT_EQ(e.cmdlet().parameters().at("FilePath"), "\\\\x\\c$\\y.pst");
  EXPECT_EQ(e.cmdlet().error(), "Microsoft.Exchange.Data.DataValidationException: bad path");
}

TEST(WindowsEventNormalizerTest, UmErrorKeepsLevelAndBuildsMessageFromStrings) {
  auto r = Record("Application", "MSExchange Unified Messaging", 1040,
                  {{"param1", "UM worker process"},
                   {"param2", "System.InvalidCastException: Unable to cast object"}});
  r.level = 2;
  v1::Event e = Normalize(r);
  ASSERT_TRUE(e.has_windows());
  EXPECT_EQ(e.windows().level(), 2u);
  EXPECT_EQ(e.windows().provider(), "MSExchange Unified Messaging");
  EXPECT_NE(e.windows().message().find("System.InvalidCastException"), std::string::npos);
}

TEST(WindowsEventNormalizerTest, HugeValueIsCutAndCounted) {
  std::string big(40 * 1024, 'A');
  big[FieldReader::kMaxValueBytes - 1] = '\xC3';  // a 2-byte sequence straddling the cut
  big[FieldReader::kMaxValueBytes] = '\xA9';
  auto r = Record("Microsoft-Windows-Sysmon/Operational", "Microsoft-Windows-Sysmon", 1,
                  {{"CommandLine", big}, {"Image", "C:\\x.exe"}});
  WindowsEventNormalizer normalizer;
  v1::Event e;
  normalizer.Normalize(r, e);
  EXPECT_EQ(e.process().process().command_line().size(), FieldReader::kMaxValueBytes - 1);
  EXPECT_EQ(normalizer.counters().truncated_values, 1u);
}

TEST(WindowsEventNormalizerTest, EventTimeFromRecord) {
  auto r = Record("Security", "x", 5145, {{"ShareName", "\\\\*\\C$"}});
  ASSERT_TRUE(ParseWindowsTime("2021-03-03T07:48:55.4123456Z", r.time_micros));
  r.has_time = true;
  v1::Event e = Normalize(r);
  EXPECT_EQ(e.event_time().seconds(), 1614757735);
  EXPECT_EQ(e.event_time().nanos(), 412345000);
  EXPECT_EQ(e.windows().data().at("ShareName"), "\\\\*\\C$");
}

TEST(WindowsTimeTest, FormatsAndZones) {
  int64_t t = 0;
  ASSERT_TRUE(ParseWindowsTime("2021-03-03 07:48:55", t));
  EXPECT_EQ(t, 1614757735LL * 1000000);
  ASSERT_TRUE(ParseWindowsTime("2021-03-03T08:48:55.5+01:00", t));
  EXPECT_EQ(t, 1614757735LL * 1000000 + 500000);
  ASSERT_TRUE(ParseWindowsTime("2021-03-03T02:48:55-0500", t));
  EXPECT_EQ(t, 1614757735LL * 1000000);
  EXPECT_FALSE(ParseWindowsTime("2021-03-03", t));
  EXPECT_FALSE(ParseWindowsTime("2021-13-03T07:48:55Z", t));
  EXPECT_FALSE(ParseWindowsTime("2021-03-03T07:48:55Zjunk", t));
  EXPECT_EQ(FileTimeToMicros(116444736000000000ULL), 0);
}

}  // namespace
}  // namespace tripline::agent
