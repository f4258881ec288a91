// The pack over the real samples in ../shared/data/samples: the helsecert incident logs (read as
// `tripline hunt --format <f>` reads them) and the EVTX-ATTACK-SAMPLES captures. Each sample runs
// in a fresh engine, as logs of separate hosts would; the events keep the empty host identity the
// offline readers give them. Expectations are exact: a rule that starts or stops firing on a real
// intrusion trace is a change a user would notice.

#include <gtest/gtest.h>

#include "expectations.h"

namespace tripline::correlator::hafnium_test {
namespace {

struct Sample {
  std::string file;
  std::string format;  // "" for EVTX
};

const std::vector<Sample>& Samples() {
  static const std::vector<Sample> kSamples = {
      {"helsecert_testproxylogon_cve-2021-26855_httpproxy_ecp.csv", "httpproxy"},
      {"helsecert_ecpserver_cve-2021-27065_abridged.log", "ecp"},
      {"helsecert_iis_w3svc1_webshell_access.log", "w3c"},
      {"helsecert_httpproxy_owa_webshell_probing_abridged.csv", "csv"},
      {"evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx", ""},
      {"evtxattack_powercat_revShell_sysmon_1_3.evtx", ""},
      {"evtxattack_sysmon_10_11_lsass_memdump.evtx", ""},
      {"evtxattack_sysmon_10_1_memdump_comsvcs_minidump.evtx", ""},
  };
  return kSamples;
}

std::vector<v1::Event> ReadSample(const std::string& file) {
  for (const Sample& s : Samples()) {
    if (s.file != file) continue;
    const std::string path = kSamplesDir + "/" + s.file;
    return s.format.empty() ? ReadEvtx(path) : ReadLog(path, s.format);
  }
  ADD_FAILURE() << file << " is not a known sample";
  return {};
}

Fired RunSamples(const std::vector<std::string>& files) {
  std::vector<v1::Event> events;
  for (const std::string& f : files) {
    std::vector<v1::Event> more = ReadSample(f);
    events.insert(events.end(), more.begin(), more.end());
  }
  return CountByRule(RunPack(std::move(events)));
}

class SampleTest : public ::testing::TestWithParam<Case> {};

TEST_P(SampleTest, FiresExactlyTheExpectedRules) {
  const Case& c = GetParam();
  Fired fired = RunSamples(c.inputs);
  EXPECT_EQ(fired, c.expected) << "fired:" << Describe(fired) << "\nexpected:"
                               << Describe(c.expected);
}

INSTANTIATE_TEST_SUITE_P(Hafnium, SampleTest, ::testing::ValuesIn(SampleCases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

// Every sample the folder holds has a case: a new sample must say what it should fire.
TEST(SampleCoverageTest, EverySampleFileHasACase) {
  for (const Sample& s : Samples()) {
    bool covered = false;
    for (const Case& c : SampleCases()) {
      for (const std::string& f : c.inputs) covered = covered || f == s.file;
    }
    EXPECT_TRUE(covered) << s.file;
  }
}

}  // namespace

const std::vector<Case>& SampleCases() {
  using namespace rule;  // NOLINT(google-build-using-namespace): the table reads better
  static const std::vector<Case> kCases = {
      // 11 SSRF rows: 2 autodiscover-only (Microsoft's exclusion), 9 flagged, one of them the
      // ResetOABVirtualDirectory answered 200 (the web shell written).
      {"TestProxyLogonHttpProxyEcp",
       {"helsecert_testproxylogon_cve-2021-26855_httpproxy_ecp.csv"},
       {{kSsrfServerInfoAnchor, 9}, {kResetVirtualDirectory, 1}}},
      // Two Set-OabVirtualDirectory with the China Chopper one-liner; the $null reset and the
      // Remove/New-OABVirtualDirectory cleanup do not match.
      {"EcpServerLog", {"helsecert_ecpserver_cve-2021-27065_abridged.log"},
       {{kVirtualDirectoryUrlTag, 2}}},
      // Both exploitation runs of March 3 in one engine: the second run completes the chain
      // (06:59:14 SSRF, 06:59:17.960 Set-OabVirtualDirectory, 06:59:20.359 reset); the first
      // has no reset row in the export and expires.
      {"HelsecertExploitChain",
       {"helsecert_testproxylogon_cve-2021-26855_httpproxy_ecp.csv",
        "helsecert_ecpserver_cve-2021-27065_abridged.log"},
       {{kSsrfServerInfoAnchor, 9},
        {kResetVirtualDirectory, 1},
        {kVirtualDirectoryUrlTag, 2},
        {kExploitChain, 1}}},
      // 8 GETs of RedirSuiteServerProxy.aspx: 5 answered 200, 3 answered 302 on March 8.
      {"IisWebShellAccess", {"helsecert_iis_w3svc1_webshell_access.log"},
       {{kUnknownAuthPageServed, 5}, {kPublishedShellName, 8}}},
      // The first block (one value more than its header) does not parse; the other two blocks
      // are two scanner runs of 16 and 21 seconds over 9 names, each raising the scan twice (a
      // correlation alert consumes the five distinct names it counted).
      {"OwaWebShellProbing", {"helsecert_httpproxy_owa_webshell_probing_abridged.csv"},
       {{kUnknownAuthPageServed, 3}, {kPublishedShellName, 69}, {kShellNameScan, 4}}},
      // w3wp -ap "DefaultAppPool" -> cmd /c net user: not an Exchange pool.
      {"IisWebShellSysmon", {"evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx"},
       {{kWebServerShell, 1}}},
      // PowerShell (powercat) holding port 4444 and relaying a bare "cmd"; nothing on the
      // command line names powercat, so the correlation of connection and bare cmd says it.
      {"PowercatReverseShell", {"evtxattack_powercat_revShell_sysmon_1_3.evtx"},
       {{kReverseShellCorrelation, 1}}},
      // ProcDump and Task Manager each open LSASS (0x1fffff, dbghelp in the stack) and write
      // lsass*.dmp.
      {"LsassMemdump", {"evtxattack_sysmon_10_11_lsass_memdump.evtx"},
       {{kLsassAccess, 2}, {kLsassDumpFile, 2}}},
      // rundll32 comsvcs.dll, MiniDump (of notepad: the technique, not the target, is seen).
      {"ComsvcsMiniDump", {"evtxattack_sysmon_10_1_memdump_comsvcs_minidump.evtx"},
       {{kComsvcsMiniDump, 1}}},
  };
  return kCases;
}

}  // namespace tripline::correlator::hafnium_test
