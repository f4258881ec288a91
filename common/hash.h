#pragma once

#include <string>
#include <string_view>

namespace tripline {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// A stable 128-bit id (32 hex chars): SHA-256 over the parts, each length-prefixed so that
// ("ab","c") and ("a","bc") differ. Used for event ids and alert ids, which must be identical
// when the same record or the same detection is produced again after a crash.
std::string StableId(std::initializer_list<std::string_view> parts);

// event_id = StableId(agent id, source file id, position): a re-sent record keeps its id.
std::string EventId(std::string_view agent_id, std::string_view file_id, uint64_t position);
// The same id written into `out` (reusing its buffer: no allocation on the per-record path).
void EventIdTo(std::string_view agent_id, std::string_view file_id, uint64_t position,
               std::string* out);

}  // namespace tripline
