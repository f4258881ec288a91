#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <random>

namespace tripline {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // RFC 3720 check value
  EXPECT_EQ(Crc32cPortable("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720 B.4: 32 zero bytes
}

TEST(Crc32c, FastPathEqualsPortableForEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::string data(300, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= data.size(); len += 7) {
      std::string_view v(data.data() + start, len);
      ASSERT_EQ(Crc32c(v), Crc32cPortable(v)) << start << "+" << len;
    }
  }
  // Continuing a CRC over two pieces equals one pass.
  EXPECT_EQ(Crc32c(data.substr(100), Crc32c(data.substr(0, 100))), Crc32c(data));
}

}  // namespace
}  // namespace tripline
