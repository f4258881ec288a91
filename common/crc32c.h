#pragma once

#include <cstdint>
#include <string_view>

namespace tripline {

// CRC-32C (Castagnoli), as used by the spool's record frames. `crc` continues a previous value.
// Uses the SSE4.2 instruction where the CPU has it.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);
// The table-driven version every CPU runs (and the reference the fast path is tested against).
uint32_t Crc32cPortable(std::string_view data, uint32_t crc = 0);

}  // namespace tripline
