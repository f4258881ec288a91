#include "agent/sources/evtx/evtx_chunks.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string_view>

namespace tripline::agent {
namespace {

constexpr size_t kFileHeaderBytes = 4096;
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kChunkHeaderBytes = 512;
constexpr uint32_t kFileFlagDirty = 0x1;

// CRC-32 (IEEE 802.3, reflected, as zlib computes it): what EVTX checksums are.
class Crc32 {
 public:
  Crc32() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      table_[i] = c;
    }
  }
  uint32_t Update(uint32_t crc, std::string_view data) const {
    crc = ~crc;
    for (char ch : data) crc = table_[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
    return ~crc;
  }

 private:
  std::array<uint32_t, 256> table_{};
};

uint32_t Le32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

// Why `chunk` (kChunkBytes) is damaged, or "" when it is not.
std::string ChunkProblem(const Crc32& crc, std::string_view chunk, bool check_sums) {
  if (chunk.substr(0, 8) != std::string_view("ElfChnk\0", 8)) return "bad signature";
  if (!check_sums) return "";
  // The header checksum covers bytes 0..119 and 128..511 (120..127 hold other checksums).
  uint32_t header = crc.Update(crc.Update(0, chunk.substr(0, 120)), chunk.substr(128, 384));
  if (header != Le32(chunk, 124)) return "header checksum mismatch";
  uint32_t free_space = Le32(chunk, 48);  // end of the event records
  if (free_space < kChunkHeaderBytes || free_space > kChunkBytes) return "bad free-space offset";
  uint32_t records = crc.Update(0, chunk.substr(kChunkHeaderBytes, free_space - kChunkHeaderBytes));
  if (records != Le32(chunk, 52)) return "event records checksum mismatch";
  return "";
}

}  // namespace

std::vector<EvtxChunkDamage> FindDamagedChunks(const std::string& path) {
  std::vector<EvtxChunkDamage> damaged;
  std::ifstream in(path, std::ios::binary);
  std::string header(kFileHeaderBytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header.size()));
  if (in.gcount() < 128 || header.compare(0, 8, std::string_view("ElfFile\0", 8)) != 0) {
    return damaged;
  }
  const size_t chunks = static_cast<unsigned char>(header[42]) |
                        (static_cast<size_t>(static_cast<unsigned char>(header[43])) << 8);
  const bool dirty = (Le32(header, 120) & kFileFlagDirty) != 0;
  static const Crc32 crc;
  std::string chunk(kChunkBytes, '\0');
  in.seekg(static_cast<std::streamoff>(kFileHeaderBytes));
  for (size_t i = 0; i < chunks; ++i) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (static_cast<size_t>(in.gcount()) < kChunkBytes) {
      for (size_t j = i; j < chunks; ++j) damaged.push_back({j, "cut off by the end of the file"});
      break;
    }
    std::string reason = ChunkProblem(crc, chunk, !dirty);
    if (!reason.empty()) damaged.push_back({i, std::move(reason)});
  }
  return damaged;
}

}  // namespace tripline::agent
