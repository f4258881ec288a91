#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tripline::agent {

// A chunk of an EVTX file that libevtx would skip or read wrongly without reporting it.
struct EvtxChunkDamage {
  size_t index;        // 0-based chunk number
  std::string reason;  // "cut off by the end of the file", "bad signature", ...
};

// Checks the chunks an EVTX file's header says it holds (layout: a 4 KiB file header, then
// 64 KiB chunks, each with a 512-byte header; libevtx's documentation of the format): each must
// be complete, start with "ElfChnk\0", and match the CRC32s its header carries (of the header
// itself, and of its event records). A file whose header is marked dirty (a copy of a log that
// was open) may hold chunks Windows had not finished writing: only their signatures are checked.
// Returns nothing for a file that is not EVTX at all (libevtx reports that when opening it) or
// cannot be read. Pure function of the file's bytes; any thread.
std::vector<EvtxChunkDamage> FindDamagedChunks(const std::string& path);

}  // namespace tripline::agent
