#include "agent/sources/evtx/evtx_source.h"

#include <gtest/gtest.h>

#include <map>

#include "common/hash.h"
#include "tests/unit/agent/windows/evtx_test_support.h"

// Inputs: ../shared/data/samples/evtxattack_*.evtx (sbousseaden/EVTX-ATTACK-SAMPLES @ 4ceed2f4,
// GPL) and ../shared/data/sigma-regression (SigmaHQ regression_data @ 8eaafff1).
namespace tripline::agent {
namespace {

using evtx_test::kSamples;
using evtx_test::ReadAll;
using evtx_test::ReadResult;

const v1::WindowsEvent& Windows(const v1::Event& e) {
  EXPECT_TRUE(e.has_windows()) << e.ShortDebugString().substr(0, 300);
  return e.windows();
}

TEST(EvtxSourceTest, IisWebshellCommandTree) {
  std::string path = kSamples + "evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx";
  ReadResult run = ReadAll(path);
  ASSERT_EQ(run.events.size(), 4u);
  EXPECT_EQ(run.counters.read_errors, 0u);
  const v1::Event& cmd = run.events[0];
  ASSERT_TRUE(cmd.has_process());
  EXPECT_EQ(cmd.process().process().executable(), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(cmd.process().process().command_line(), "\"c:\\windows\\system32\\cmd.exe\" /c net user");
  EXPECT_EQ(cmd.process().parent().executable(), "C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(cmd.process().parent().pid(), 2580);
  EXPECT_NE(cmd.process().parent().command_line().find("-ap \"DefaultAppPool\""), std::string::npos);
  EXPECT_EQ(cmd.process().user_domain(), "IIS APPPOOL");
  EXPECT_EQ(cmd.process().user_name(), "DefaultAppPool");
  // The envelope.
  EXPECT_EQ(cmd.source().kind(), v1::Source::KIND_EVTX);
  EXPECT_EQ(cmd.source().path(), path);
  EXPECT_EQ(cmd.source().position(), 1u);  // a filtered export: headers renumbered from 1
  EXPECT_EQ(cmd.labels().at("evtx.event_record_id"), "1044");
  EXPECT_EQ(cmd.source().format(), "evtx");
  EXPECT_EQ(cmd.event_id(), EventId("agent-1", cmd.source().file_id(), 1));
  EXPECT_EQ(cmd.agent_id(), "agent-1");
  EXPECT_EQ(cmd.event_time().seconds(), 1558661633);  // 2019-05-24T01:33:53Z
  EXPECT_EQ(cmd.original().substr(0, 6), "<Event");
  EXPECT_FALSE(cmd.original_truncated());

  const v1::WindowsEvent& access = Windows(run.events[1]);  // Sysmon 10
  EXPECT_EQ(access.event_code(), 10u);
  EXPECT_EQ(access.channel(), "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(access.data().at("SourceImage"), "c:\\windows\\system32\\inetsrv\\w3wp.exe");
  EXPECT_EQ(access.data().at("TargetImage"), "c:\\windows\\system32\\cmd.exe");
  EXPECT_EQ(access.data().at("GrantedAccess"), "0x1fffff");
  EXPECT_EQ(access.computer(), "IEWIN7");
  EXPECT_EQ(access.record_id(), 1045u);

  EXPECT_EQ(run.events[2].process().process().executable(), "C:\\Windows\\System32\\net.exe");
  EXPECT_EQ(run.events[2].process().parent().name(), "cmd.exe");
  EXPECT_EQ(run.events[3].process().process().executable(), "C:\\Windows\\System32\\net1.exe");
  EXPECT_EQ(run.events[3].process().parent().executable(), "C:\\Windows\\System32\\net.exe");
}

TEST(EvtxSourceTest, PowercatReverseShellAndItsConnection) {
  ReadResult run = ReadAll(kSamples + "evtxattack_powercat_revShell_sysmon_1_3.evtx");
  ASSERT_EQ(run.events.size(), 9u);
  EXPECT_EQ(run.counters.read_errors, 0u);
  std::map<uint64_t, const v1::Event*> by_id;
  for (const auto& e : run.events) by_id[std::stoull(e.labels().at("evtx.event_record_id"))] = &e;
  const char* kPowerShell = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
  const v1::Event& netstat = *by_id.at(8112);
  EXPECT_EQ(netstat.process().process().executable(), "C:\\Windows\\System32\\NETSTAT.EXE");
  EXPECT_EQ(netstat.process().process().command_line(), "\"C:\\Windows\\system32\\NETSTAT.EXE\"  -na");
  EXPECT_EQ(netstat.process().parent().executable(), kPowerShell);
  EXPECT_EQ(netstat.process().hash_md5(), "32297bb17e6ec700d0fc869f9acaf561");
  EXPECT_EQ(by_id.at(8114)->process().process().command_line(), "\"cmd\"");
  EXPECT_EQ(by_id.at(8114)->process().parent().executable(), kPowerShell);
  const v1::NetworkConnection& net = by_id.at(8118)->network();
  EXPECT_EQ(net.process().executable(), kPowerShell);
  EXPECT_EQ(net.process().pid(), 816);
  EXPECT_EQ(net.transport(), "tcp");
  EXPECT_EQ(net.direction(), "inbound");
  EXPECT_EQ(net.source_ip(), "10.0.2.13");
  EXPECT_EQ(net.source_port(), 4444u);
  EXPECT_EQ(net.destination_ip(), "10.0.2.18");
  EXPECT_EQ(net.destination_port(), 38208u);
  EXPECT_EQ(net.user_name(), "IEUser");
  EXPECT_EQ(by_id.at(8119)->process().process().command_line(), "whoami");
  EXPECT_EQ(by_id.at(8119)->process().parent().executable(), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(by_id.at(8120)->process().process().command_line(), "systeminfo");
  EXPECT_EQ(Windows(*by_id.at(8113)).data().at("GrantedAccess"), "0x1fffff");
}

TEST(EvtxSourceTest, ComsvcsMiniDumpThroughWmi) {
  ReadResult run = ReadAll(kSamples + "evtxattack_sysmon_10_1_memdump_comsvcs_minidump.evtx");
  ASSERT_EQ(run.events.size(), 6u);
  EXPECT_EQ(run.counters.read_errors, 0u);
  EXPECT_EQ(run.events[0].process().process().command_line(),
            "cscript  c:\\ProgramData\\memdump.vbs notepad.exe");
  EXPECT_EQ(Windows(run.events[1]).event_code(), 7u);  // image loads keep all their data
  EXPECT_EQ(Windows(run.events[1]).data().at("Image"), "C:\\Windows\\System32\\cscript.exe");
  const v1::ProcessStart& rundll = run.events[3].process();
  EXPECT_EQ(rundll.process().executable(), "C:\\Windows\\System32\\rundll32.exe");
  EXPECT_EQ(rundll.process().command_line(),
            "rundll32 C:\\windows\\system32\\comsvcs.dll, MiniDump 4868 "
            "C:\\Windows\\System32\\notepad.bin full");
  EXPECT_EQ(rundll.parent().executable(), "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
  const v1::FileChange& dump = run.events[4].file();
  EXPECT_EQ(dump.action(), v1::FileChange::ACTION_CREATED);
  EXPECT_EQ(dump.path(), "C:\\Windows\\System32\\notepad.bin");
  EXPECT_EQ(dump.extension(), "bin");
  EXPECT_EQ(dump.process().executable(), "C:\\Windows\\system32\\rundll32.exe");
  const v1::WindowsEvent& access = Windows(run.events[5]);
  EXPECT_EQ(access.data().at("SourceImage"), "C:\\Windows\\system32\\rundll32.exe");
  EXPECT_EQ(access.data().at("TargetImage"), "C:\\Windows\\system32\\notepad.exe");
  EXPECT_EQ(access.data().at("GrantedAccess"), "0x1fffff");
}

TEST(EvtxSourceTest, ProcdumpAndTaskmgrDumpLsass) {
  ReadResult run = ReadAll(kSamples + "evtxattack_sysmon_10_11_lsass_memdump.evtx");
  ASSERT_EQ(run.events.size(), 4u);
  EXPECT_EQ(run.counters.read_errors, 0u);
  // libevtx 20181227 lists five recovered records in this file and can read none of them.
  EXPECT_EQ(run.recovered_unreadable, 5u);
  const v1::FileChange& dump = run.events[0].file();
  EXPECT_EQ(dump.path(), "C:\\Users\\IEUser\\Desktop\\lsass.exe_190317_120941.dmp");
  EXPECT_EQ(dump.name(), "lsass.exe_190317_120941.dmp");
  EXPECT_EQ(dump.extension(), "dmp");
  EXPECT_EQ(dump.process().executable(), "C:\\Users\\IEUser\\Desktop\\procdump.exe");
  EXPECT_EQ(dump.process().pid(), 1856);
  const v1::WindowsEvent& access = Windows(run.events[1]);
  EXPECT_EQ(access.data().at("SourceImage"), "C:\\Users\\IEUser\\Desktop\\procdump.exe");
  EXPECT_EQ(access.data().at("TargetImage"), "C:\\Windows\\system32\\lsass.exe");
  EXPECT_EQ(access.data().at("GrantedAccess"), "0x1fffff");
  EXPECT_EQ(run.events[2].file().path(), "C:\\Users\\IEUser\\AppData\\Local\\Temp\\lsass (2).DMP");
  EXPECT_EQ(run.events[2].file().extension(), "dmp");
  EXPECT_EQ(run.events[2].file().process().name(), "taskmgr.exe");
  EXPECT_EQ(Windows(run.events[3]).data().at("SourceImage"), "C:\\Windows\\system32\\taskmgr.exe");
}

}  // namespace
}  // namespace tripline::agent
