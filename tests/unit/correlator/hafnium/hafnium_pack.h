#pragma once

// Shared by the tests of the Hafnium rule pack (config/rules/hafnium): the pack loaded through
// the loader `tripline rules check` uses, the offline readers of `tripline hunt`, and one engine
// per run. Nothing here keeps state between tests except the pack, which is immutable.

#include <map>
#include <string>
#include <vector>

#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::hafnium_test {

inline const std::string kRepoDir = TRIPLINE_REPO_DIR;
inline const std::string kPackDir = kRepoDir + "/config/rules/hafnium";
inline const std::string kDataDir = kRepoDir + "/tests/data/hafnium";
inline const std::string kSamplesDir = TRIPLINE_SAMPLES_DIR;

// Rule ids of the pack, by what the rule detects (the YAML files hold the same ids).
namespace rule {
// CVE-2021-26855 / -27065, web logs.
inline constexpr char kSsrfServerInfoAnchor[] = "82accd88-3281-4dbe-a0c2-3d241f00b7f1";
inline constexpr char kSsrfRoutingCookie[] = "8a990500-97f8-4aec-b233-429f51397e79";
inline constexpr char kIisExploitRequests[] = "86bc507e-a5d4-449e-bb7c-a6af37d33a04";
inline constexpr char kResetVirtualDirectory[] = "9c4a8042-6936-48c8-8099-5e7393e266be";
inline constexpr char kVirtualDirectoryUrlTag[] = "7611a862-5336-4f2b-b598-076a08f30f0f";
// CVE-2021-26857 / -26858.
inline constexpr char kUmInvalidCast[] = "68a7135c-f12b-46dc-b3aa-8a80f80e1062";
inline constexpr char kUmChildProcess[] = "d08033c6-c23c-47a8-bea3-21f6a2cb7a3f";
inline constexpr char kOabTempOutsideOab[] = "8817035c-09d4-42a1-8f4d-e94d05a69348";
inline constexpr char kUmScriptFileWrite[] = "ff22bf53-a342-46fb-8b4d-a3641c87839d";
// Web shells.
inline constexpr char kPageCreatedInWebFolder[] = "33e26b4f-786c-4105-aa0a-93777a299ee5";
inline constexpr char kWebshellMarkers[] = "5b691ca3-7ce2-4e8b-8686-9a821f382d77";
inline constexpr char kUnknownAuthPageServed[] = "122277ee-8c72-4709-8ab3-8b81355a6141";
inline constexpr char kPublishedShellName[] = "2f10cebd-0f5a-4786-81c6-aa4fc8d1084e";
inline constexpr char kShellNameScan[] = "ef94dfeb-dbf3-4d5c-b2cd-4bd0e30f092e";
inline constexpr char kExchangeWorkerShell[] = "abd82960-5a32-4894-b6c8-5d17187b639d";
inline constexpr char kWebServerShell[] = "c0025d7e-0722-4ac4-9e4f-298e4086819d";
inline constexpr char kChopperCommandLine[] = "d9f281f8-f40b-4804-a39c-a185838018d3";
inline constexpr char kHafniumCommands[] = "40871d39-0087-4724-81cd-a2ddf2d833d2";
// Credential access.
inline constexpr char kProcdumpLsass[] = "4d5ba6a7-6ba5-46e0-ad18-85e72b291165";
inline constexpr char kComsvcsMiniDump[] = "caae872a-bd7a-49df-aa5d-426b55f00bbf";
inline constexpr char kLsassAccess[] = "617c86a8-7b82-488f-baf4-a504911dd79c";
inline constexpr char kLsassDumpFile[] = "b8fa98ad-5431-4f22-841a-559d505b98c3";
// Staging, mailbox theft, exfiltration.
inline constexpr char kArchiveCommandLine[] = "7d928d31-876b-4121-83fe-7c7a80ac3977";
inline constexpr char kArchiveFileStaged[] = "e771a4cb-65b4-41c8-b744-cfddf046e760";
inline constexpr char kMailboxExportCmdlet[] = "9f255afd-81d7-4a30-b60d-72e55e611e3a";
inline constexpr char kImportExportRole[] = "3faf9f0b-2b29-4b69-a03f-839286f59123";
inline constexpr char kExportCommandLine[] = "6021ae9d-c747-4462-ba4c-f04f9709e160";
inline constexpr char kReverseShellTooling[] = "7f029392-60f5-47ba-9ead-cbecb34ccf98";
inline constexpr char kPowershellNetwork[] = "190e5414-5185-400b-9236-4c5f2be55cc4";
inline constexpr char kPowershellBareCmd[] = "eb07414b-ad29-41a0-b857-bfc7b7b7d9de";
inline constexpr char kReverseShellCorrelation[] = "48bcd681-e929-4b6c-a00f-5d4d315857f2";
inline constexpr char kMega[] = "cd4dc1bf-162d-4434-a7c6-d90dbcf60314";
// Sequences and first-seen rules.
inline constexpr char kWebshellWriteRequestSpawn[] = "7b0c3f52-91d4-4a8e-b6f1-5e2a9c4d8f10";
inline constexpr char kWebshellWrittenRequested[] = "bc60f1df-fbe9-4dec-9d12-1c3589cebbc2";
inline constexpr char kExploitChain[] = "f4592174-83c0-4546-8c56-ba6a756378e1";
inline constexpr char kArchiveDownloaded[] = "a07641af-eba3-4540-95e2-9cbc0cf47cdf";
inline constexpr char kMailboxExportChain[] = "512dfbca-6c52-4b89-a166-4f678939ee66";
inline constexpr char kNewService[] = "2d9e4a17-6c3b-4f85-a0d2-8b7e1f5c9a34";
inline constexpr char kNewOutboundDestination[] = "89e07c33-3167-4b48-8d64-2d51900a1706";
inline constexpr char kNewDestinationUpload[] = "ac1fc9cc-eda1-4569-a50c-64620fe313f1";
}  // namespace rule

// Alerts per rule id; a test compares it with the exact expectation.
using Fired = std::map<std::string, int>;

// config/field_map.yaml and the pack, loaded once for the test binary (both immutable).
const engine::FieldMap& FieldMapForTests();
const engine::LoadResult& Pack();

// One text log read by agent::FileSource with parser `format`, as `tripline hunt --format`
// does; events in file order, unparsed lines included (as the agent ships them). Fails the
// current test when the file cannot be read.
std::vector<v1::Event> ReadLog(const std::string& path, const std::string& format);
// Every record of an .evtx file, through agent::EvtxSource.
std::vector<v1::Event> ReadEvtx(const std::string& path);
// A fixture of tests/data/hafnium, the format picked from its extension: .jsonl winevent_json,
// .w3c.log w3c, .httpproxy.LOG httpproxy, .ecp.LOG ecp, .oab.LOG oab.
std::vector<v1::Event> ReadFixture(const std::string& name);

// What the agent on an Exchange server stamps on every event (agent.yaml host_name and
// exchange_build): the fixtures are logs of that server.
void OnExchangeHost(std::vector<v1::Event>* events);

// A fresh engine with the pack over `events` in event-time order (stable, as the agent's
// partition delivers one host's events), with a fixed clock.
std::vector<v1::Alert> RunPack(std::vector<v1::Event> events);
Fired CountByRule(const std::vector<v1::Alert>& alerts);
// RunPack() of the fixtures, stamped with the Exchange host identity.
Fired RunFixtures(const std::vector<std::string>& names);

// "title (id): n" lines, for failure messages.
std::string Describe(const Fired& fired);

}  // namespace tripline::correlator::hafnium_test
