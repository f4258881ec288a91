#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tripline {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// A stable 128-bit id (32 hex chars): SHA-256 over the parts, each length-prefixed so that
// ("ab","c") and ("a","bc") differ. Used for event ids and alert ids, which must be identical
// when the same record or the same detection is produced again after a crash.
std::string StableId(std::initializer_list<std::string_view> parts);

// Event ids (32 hex chars), deterministic so that a re-sent record keeps its id. The first 16
// are the SHA-256 of the length-prefixed agent id and source id (a file's identity, "fim:<root>",
// ...), computed once per source; the last 16 are the record's position through a bijective
// 64-bit mix keyed by the next 64 bits of that hash. Two records of one source therefore never
// share an id, and two sources share a prefix with probability 2^-64: uniqueness as before,
// without a SHA-256 per record on the agent's hot path.
class EventIdKey {
 public:
  EventIdKey() = default;
  EventIdKey(std::string_view agent_id, std::string_view file_id);
  // Writes the id of the record at `position` into `out`, reusing its buffer.
  void IdTo(uint64_t position, std::string* out) const;

 private:
  char prefix_[16] = {};
  uint64_t key_ = 0;
};

// EventIdKey(agent_id, file_id) and its id for `position`, for sources that emit few records.
std::string EventId(std::string_view agent_id, std::string_view file_id, uint64_t position);

}  // namespace tripline
