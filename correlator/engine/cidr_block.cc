#include "correlator/engine/cidr_block.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

constexpr size_t kMaxAddressText = 64;

// inet_pton needs a NUL-terminated string; copy into a stack buffer (no allocation).
bool ParseAddress(std::string_view text, bool* v6, std::array<uint8_t, 16>* out) {
  if (text.empty() || text.size() >= kMaxAddressText) return false;
  char buf[kMaxAddressText];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  out->fill(0);
  if (inet_pton(AF_INET, buf, out->data()) == 1) {
    *v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, out->data()) == 1) {
    *v6 = true;
    return true;
  }
  return false;
}

bool PrefixEqual(const uint8_t* a, const uint8_t* b, int bits) {
  int full = bits / 8;
  if (std::memcmp(a, b, full) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

absl::StatusOr<CidrBlock> ParseCidr(std::string_view text) {
  CidrBlock block;
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  if (!ParseAddress(addr, &block.v6, &block.addr)) {
    return absl::InvalidArgumentError(Cat("'", text, "' is not a CIDR network"));
  }
  int max_len = block.v6 ? 128 : 32;
  block.prefix_len = max_len;
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), block.prefix_len);
    if (ec != std::errc() || ptr != len.data() + len.size() || block.prefix_len < 0 ||
        block.prefix_len > max_len) {
      return absl::InvalidArgumentError(Cat("'", text, "' has a bad prefix length"));
    }
  }
  return block;
}

bool CidrContains(const CidrBlock& block, std::string_view ip) {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  if (!ParseAddress(ip, &v6, &addr)) return false;
  if (v6 && !block.v6) {
    // ::ffff:a.b.c.d against an IPv4 block.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(addr.data(), kMapped, 12) != 0) return false;
    return PrefixEqual(addr.data() + 12, block.addr.data(), block.prefix_len);
  }
  if (v6 != block.v6) return false;
  return PrefixEqual(addr.data(), block.addr.data(), block.prefix_len);
}

}  // namespace tripline::correlator::engine
