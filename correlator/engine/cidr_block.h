#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace tripline::correlator::engine {

// An IPv4 or IPv6 network from a Sigma `cidr` value. A plain value type.
struct CidrBlock {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};
  int prefix_len = 0;
};

// Parses "10.0.0.0/8", "fe80::/10" or a bare address (full length).
absl::StatusOr<CidrBlock> ParseCidr(std::string_view text);

// True when `ip` (textual IPv4, IPv6, or IPv4-mapped IPv6 against an IPv4 block) lies in `block`.
// Text that is not an address never matches. No allocation.
bool CidrContains(const CidrBlock& block, std::string_view ip);

}  // namespace tripline::correlator::engine
