#include "agent/sources/host/proc_net_table.h"

#include <endian.h>

#include <gtest/gtest.h>

namespace tripline::agent {
namespace {

struct AddressCase {
  const char* hex;  // as a little-endian kernel prints it
  const char* want;
};

class AddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(AddressTest, Parses) {
  if (__BYTE_ORDER != __LITTLE_ENDIAN) GTEST_SKIP() << "cases are written for little-endian";
  auto got = ProcNetTable::ParseAddress(GetParam().hex);
  if (GetParam().want == nullptr) {
    EXPECT_FALSE(got.has_value());
  } else {
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, GetParam().want);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AddressTest,
    ::testing::Values(AddressCase{"0100007F", "127.0.0.1"}, AddressCase{"00000000", "0.0.0.0"},
                      AddressCase{"0A01A8C0", "192.168.1.10"},
                      AddressCase{"00000000000000000000000001000000", "::1"},
                      AddressCase{"00000000000000000000000000000000", "::"},
                      AddressCase{"0000000000000000FFFF00000100007F", "127.0.0.1"},  // v4-mapped
                      AddressCase{"0000000000000000FFFF00000A01A8C0", "192.168.1.10"},
                      AddressCase{"B80D0120000000000000000001000000", "2001:db8::1"},
                      AddressCase{"0100007", nullptr}, AddressCase{"0100007G", nullptr},
                      AddressCase{"", nullptr}));

TEST(ProcNetTableTest, ParsesRowsAndCountsBadOnes) {
  if (__BYTE_ORDER != __LITTLE_ENDIAN) GTEST_SKIP();
  std::string text =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
      "12345 1 0000000000000000 100 0 0 10 0\n"
      "   1: 0A01A8C0:C350 0807080A:01BB 01 00000000:00000000 02:000A7D8A 00000000  1000        0 "
      "67890 2 0000000000000000 20 4 30 10 -1\n"
      "   2: garbage\n";
  uint64_t bad = 0;
  auto rows = ProcNetTable::Parse(text, false, &bad);
  EXPECT_EQ(bad, 1u);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].local_ip, "127.0.0.1");
  EXPECT_EQ(rows[0].local_port, 8080);
  EXPECT_EQ(rows[0].state, TcpState::kListen);
  EXPECT_EQ(rows[0].inode, 12345u);
  EXPECT_EQ(rows[1].local_ip, "192.168.1.10");
  EXPECT_EQ(rows[1].local_port, 50000);
  EXPECT_EQ(rows[1].remote_ip, "10.8.7.8");
  EXPECT_EQ(rows[1].remote_port, 443);
  EXPECT_EQ(rows[1].state, TcpState::kEstablished);
  EXPECT_EQ(rows[1].uid, 1000);
  EXPECT_FALSE(rows[1].v6);
}

TEST(ProcNetTableTest, ParsesIpv6Row) {
  if (__BYTE_ORDER != __LITTLE_ENDIAN) GTEST_SKIP();
  auto row = ProcNetTable::ParseRow(
      "   3: 0000000000000000FFFF00000100007F:A1B2 0000000000000000FFFF00000100007F:0050 02 "
      "00000000:00000000 01:00000064 00000000     0        0 4242 1 0000000000000000 20 4 0 10 -1",
      true);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->local_ip, "127.0.0.1");
  EXPECT_EQ(row->local_port, 0xA1B2);
  EXPECT_EQ(row->remote_port, 80);
  EXPECT_EQ(row->state, TcpState::kSynSent);
  EXPECT_TRUE(row->v6);
}

}  // namespace
}  // namespace tripline::agent
