// libFuzzer target for the spool's recovery and segment reader. The input is records to append
// (one per line) followed by damage to the oldest segment file: bytes flipped, or the file cut.
// After reopening, the spool must (1) open, (2) return only records exactly as written, in order,
// and (3) return every record of the undamaged segments: damage is caught by the frame CRCs and
// skipped with a count, and never costs more than the damaged segment.
//
// Input: byte 0 = number of damage operations (mod 8); then 5 bytes each (u32 offset, u8 xor;
// xor 0 cuts the file there); the rest is the records, split at '\n'.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/spool/spool.h"

namespace fs = std::filesystem;
using tripline::spool::Spool;
using tripline::spool::SpoolConfig;

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "spool property violated: %s\n", what);
    std::abort();
  }
}

SpoolConfig Config(const std::string& dir) {
  SpoolConfig c;
  c.dir = dir;
  c.segment_bytes = 256;  // several segments from a small input
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/dev/shm/tripline-spool-fuzz-" + std::to_string(getpid());
  if (size < 1) return 0;
  size_t ops = data[0] % 8;
  if (size < 1 + ops * 5) return 0;
  std::vector<std::pair<uint32_t, uint8_t>> damage;
  for (size_t i = 0; i < ops; ++i) {
    uint32_t off;
    std::memcpy(&off, data + 1 + i * 5, 4);
    damage.emplace_back(off, data[1 + i * 5 + 4]);
  }
  std::string rest(reinterpret_cast<const char*>(data) + 1 + ops * 5, size - 1 - ops * 5);
  std::vector<std::string> records;
  for (size_t start = 0; start <= rest.size() && records.size() < 200;) {
    size_t end = std::min(rest.find('\n', start), rest.size());
    records.push_back(rest.substr(start, end - start));
    start = end + 1;
  }

  fs::remove_all(dir);
  {
    auto spool = Spool::Open(Config(dir));
    Check(spool.ok(), "a new spool opens");
    for (const auto& r : records) Check((*spool)->Append("k", r).ok(), "append");
    Check((*spool)->Sync().ok(), "sync");
  }
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  Check(!segments.empty(), "a segment was written");
  // Records of the undamaged segments: every seq from the second segment's first on.
  uint64_t first_safe = segments.size() > 1 ? std::stoull(segments[1].stem().string()) : UINT64_MAX;
  if (!damage.empty()) {
    std::string bytes;
    {
      std::ifstream in(segments[0], std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (auto [off, x] : damage) {
      if (bytes.empty()) break;
      if (x == 0) {
        bytes.resize(off % bytes.size());
      } else {
        bytes[off % bytes.size()] ^= static_cast<char>(x);
      }
    }
    std::ofstream(segments[0], std::ios::binary | std::ios::trunc) << bytes;
  }

  auto spool = Spool::Open(Config(dir));
  Check(spool.ok(), "a spool with a damaged old segment still opens");
  uint64_t last_seq = 0;
  std::vector<bool> seen(records.size() + 1, false);
  while (const auto* r = (*spool)->Peek()) {
    Check(r->seq > last_seq && r->seq <= records.size(), "records come in order with known seqs");
    Check(r->value == records[r->seq - 1] && r->key == "k", "a record comes back as written");
    seen[r->seq] = true;
    last_seq = r->seq;
    (*spool)->Ack(r->seq);
    (*spool)->Advance();
  }
  for (uint64_t s = first_safe; s <= records.size(); ++s) {
    Check(seen[s], "every record of an undamaged segment is read");
  }
  if (segments.size() > 1) {  // the damaged segment is not the newest: every loss is counted
    uint64_t missing = 0;
    for (uint64_t s = 1; s <= records.size(); ++s) missing += seen[s] ? 0 : 1;
    Check(missing == (*spool)->counters().corrupt, "every record lost to damage is counted");
  }
  if (damage.empty()) {
    for (uint64_t s = 1; s <= records.size(); ++s) Check(seen[s], "no damage, nothing missing");
  }
  return 0;
}
