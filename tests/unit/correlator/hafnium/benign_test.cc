// An ordinary day on EXCH01 and the noise the reference names (§6): OWA logons, ActiveSync, EWS,
// Autodiscover, the health mailboxes' AMProbe traffic, Microsoft's nmap probe
// (ServerInfo~localhost, GET /owa/auth/x.js, localhost routing cookies), an autodiscover-only
// ServerInfo row, Exchange's own X-BEResource cookie, an administrator's
// Set-OabVirtualDirectory -ExternalUrl https://..., ASP.NET compiles (w3wp -> csc.exe and
// cvtres.exe), UM worker restarts and Windows Error Reporting, a cumulative update rewriting the
// OWA pages, Defender reading LSASS. None of it may raise anything.

#include <gtest/gtest.h>

#include "expectations.h"

namespace tripline::correlator::hafnium_test {
namespace {

const std::vector<std::string>& BenignFixtures() {
  static const std::vector<std::string> kFixtures = {
      "benign/httpproxy_owa_eas_ews.httpproxy.LOG",
      "benign/iis_w3svc1.w3c.log",
      "benign/iis_w3svc1_cookie.w3c.log",
      "benign/ecp_server_admin.ecp.LOG",
      "benign/oab_generator.oab.LOG",
      "benign/windows_exchange_host.jsonl",
  };
  return kFixtures;
}

class BenignFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BenignFixtureTest, FiresNothing) {
  std::vector<v1::Event> events = ReadFixture(GetParam());
  ASSERT_GE(events.size(), 3u);
  for (const v1::Event& e : events) {
    EXPECT_FALSE(e.labels().contains("parse_error"))
        << "a line the parser did not read proves nothing: " << e.original();
  }
  OnExchangeHost(&events);
  Fired fired = CountByRule(RunPack(std::move(events)));
  EXPECT_TRUE(fired.empty()) << Describe(fired);
}

INSTANTIATE_TEST_SUITE_P(Hafnium, BenignFixtureTest, ::testing::ValuesIn(BenignFixtures()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param.substr(p.param.find('/') + 1);
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

// All of it as one host's day, so that sequences and correlations see every event together.
TEST(BenignDayTest, TheWholeDayTogetherFiresNothing) {
  Fired fired = RunFixtures(BenignFixtures());
  EXPECT_TRUE(fired.empty()) << Describe(fired);
}

}  // namespace
}  // namespace tripline::correlator::hafnium_test
