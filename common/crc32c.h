#pragma once

#include <cstdint>
#include <string_view>

namespace tripline {

// CRC-32C (Castagnoli), as used by the spool's record frames. `crc` continues a previous value.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace tripline
