// The sequences, correlations and first-seen rules over several logs of one Exchange host read
// together (the agent ships them all with the same host identity), including the bounds the
// evidence sets: a shell used 12 days after its drop is chained, 31 days is not, and a page
// deleted before use ends the chain.

#include <gtest/gtest.h>

#include "expectations.h"

namespace tripline::correlator::hafnium_test {
namespace {

class ChainFixtureTest : public ::testing::TestWithParam<Case> {};

TEST_P(ChainFixtureTest, FiresExactlyTheExpectedRules) {
  const Case& c = GetParam();
  Fired fired = RunFixtures(c.inputs);
  EXPECT_EQ(fired, c.expected) << "fired:" << Describe(fired) << "\nexpected:"
                               << Describe(c.expected);
}

INSTANTIATE_TEST_SUITE_P(Hafnium, ChainFixtureTest, ::testing::ValuesIn(ChainFixtureCases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.name; });

// The sequence alert carries what an analyst needs to follow it up: every step's event.
TEST(ChainAlertTest, WebShellChainAlertNamesItsThreeEvents) {
  std::vector<v1::Event> events;
  for (const char* name : {"chains/webshell_drop.jsonl", "chains/webshell_use.w3c.log"}) {
    std::vector<v1::Event> more = ReadFixture(name);
    events.insert(events.end(), more.begin(), more.end());
  }
  OnExchangeHost(&events);
  const v1::Alert* chain = nullptr;
  std::vector<v1::Alert> alerts = RunPack(events);
  for (const v1::Alert& a : alerts) {
    if (a.rule().id() == rule::kWebshellWriteRequestSpawn) chain = &a;
  }
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->rule().kind(), "sequence");
  EXPECT_EQ(chain->severity(), v1::SEVERITY_CRITICAL);
  EXPECT_EQ(chain->group_key(), "EXCH01");
  ASSERT_EQ(chain->events_size(), 3);
  EXPECT_NE(chain->events(0).file().path().find("\\owa\\auth\\ohyeah.aspx"), std::string::npos);
  EXPECT_EQ(chain->events(1).http().url_path(), "/owa/auth/ohyeah.aspx");
  EXPECT_NE(chain->events(2).process().process().command_line().find("whoami"),
            std::string::npos);
  EXPECT_NE(std::find(chain->attack_technique_ids().begin(), chain->attack_technique_ids().end(),
                      "T1505.003"),
            chain->attack_technique_ids().end());
}

// A flow record of a byte-counting source (a firewall or NetFlow log normalized into a network
// event): the Exchange server sent `bytes` to `ip`, `seconds` after `after`.
v1::Event Upload(const v1::Event& after, const std::string& ip, uint64_t bytes, int64_t seconds) {
  v1::Event e;
  e.set_event_id("flow-" + ip + "-" + std::to_string(seconds));
  *e.mutable_host() = after.host();
  e.mutable_source()->set_format("json");
  e.mutable_event_time()->set_seconds(after.event_time().seconds() + seconds);
  v1::NetworkConnection* n = e.mutable_network();
  n->set_direction("outbound");
  n->set_destination_ip(ip);
  n->set_destination_port(443);
  n->set_bytes_sent(bytes);
  return e;
}

// "A first-seen outbound destination, then large outbound bytes to it": the sequence's first
// step is the first-seen rule's finding, joined to a later upload of over 10 MB.
TEST(ChainAlertTest, NewDestinationThenALargeUploadToIt) {
  std::vector<v1::Event> events = ReadFixture("chains/outbound_connections.jsonl");
  OnExchangeHost(&events);
  ASSERT_GE(events.size(), 2u);
  const v1::Event last = events.back();  // the download cradle's new public address
  const std::string known = events.front().network().destination_ip();  // in the baseline
  const std::string fresh = last.network().destination_ip();
  ASSERT_NE(known, fresh);
  auto run = [&](std::vector<v1::Event> more) {
    std::vector<v1::Event> all = events;
    all.insert(all.end(), more.begin(), more.end());
    return CountByRule(RunPack(all))[rule::kNewDestinationUpload];
  };
  EXPECT_EQ(run({Upload(last, fresh, 52'000'000, 3600)}), 1) << "50 MB to the new address";
  EXPECT_EQ(run({Upload(last, fresh, 900'000, 3600)}), 0) << "under 10 MB";
  EXPECT_EQ(run({Upload(last, known, 52'000'000, 3600)}), 0) << "to a baseline destination";
  EXPECT_EQ(run({Upload(last, fresh, 52'000'000, 2 * 86400)}), 0) << "two days later";
}

}  // namespace

const std::vector<Case>& ChainFixtureCases() {
  using namespace rule;  // NOLINT(google-build-using-namespace): the table reads better
  static const std::vector<Case> kCases = {
      // Drop on March 14 (System over SMB loopback), POST by antSword on March 26, cmd.exe two
      // seconds later: both web-shell sequences, and the single-event rules of each step.
      {"WebShellWrittenRequestedAndSpawning",
       {"chains/webshell_drop.jsonl", "chains/webshell_use.w3c.log"},
       {{kPageCreatedInWebFolder, 1},
        {kIisExploitRequests, 1},
        {kUnknownAuthPageServed, 1},
        {kExchangeWorkerShell, 1},
        {kWebshellWrittenRequested, 1},
        {kWebshellWriteRequestSpawn, 1}}},
      // Defender removes the page the next day: the later request and shell are single events.
      {"WebShellDeletedBeforeUse",
       {"chains/webshell_drop_deleted.jsonl", "chains/webshell_use.w3c.log"},
       {{kPageCreatedInWebFolder, 1},
        {kIisExploitRequests, 1},
        {kUnknownAuthPageServed, 1},
        {kExchangeWorkerShell, 1}}},
      // Used 31 days after the drop: past the 30 days of state the rules keep.
      {"WebShellUsedAfter31Days",
       {"chains/webshell_cmd_after_31_days.jsonl", "chains/webshell_use_after_31_days.w3c.log"},
       {{kPageCreatedInWebFolder, 1},
        {kIisExploitRequests, 1},
        {kUnknownAuthPageServed, 1},
        {kExchangeWorkerShell, 1}}},
      // The full-layout HttpProxy and ECP logs of one exploitation (helsecert's second run):
      // the autodiscover-only row is left out, the rest chains within 10 seconds.
      {"ProxyLogonChainInFullLayouts",
       {"chains/proxylogon_ecp.httpproxy.LOG", "chains/proxylogon.ecp.LOG"},
       {{kSsrfServerInfoAnchor, 3},
        {kResetVirtualDirectory, 1},
        {kVirtualDirectoryUrlTag, 1},
        {kExploitChain, 1}}},
      // 7-Zip packs into aspnet_client; the archive is fetched by a colleague (internal, not
      // counted) and then from outside.
      {"ArchiveStagedAndDownloaded",
       {"chains/archive_staged.jsonl", "chains/archive_download.w3c.log"},
       {{kArchiveCommandLine, 1}, {kArchiveFileStaged, 1}, {kArchiveDownloaded, 1}}},
      // Role granted, mailbox exported to owa\auth\Current\themes\resources\ceo.pst, fetched
      // with curl 79 minutes later, export request removed 9 minutes after that.
      {"MailboxExportedDownloadedRemoved",
       {"chains/mailbox_export.jsonl", "chains/mailbox_export_download.w3c.log"},
       {{kImportExportRole, 1}, {kMailboxExportCmdlet, 1}, {kMailboxExportChain, 1}}},
      // Without the download the export chain does not complete.
      {"MailboxExportWithoutDownload", {"chains/mailbox_export.jsonl"},
       {{kImportExportRole, 1}, {kMailboxExportCmdlet, 1}}},
      // Two weeks of baseline (Office 365, Windows Update, a DC), then a known destination, a
      // new private one and the PowerShell download cradle's public address.
      {"NewOutboundDestination", {"chains/outbound_connections.jsonl"},
       {{kNewOutboundDestination, 1}}},
      // A week of baseline, then PsExec's service.
      {"NewServiceOnExchange", {"chains/new_services.jsonl"}, {{kNewService, 1}}},
  };
  return kCases;
}

}  // namespace tripline::correlator::hafnium_test
