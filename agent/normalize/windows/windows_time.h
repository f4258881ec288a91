#pragma once

#include <cstdint>
#include <string_view>

namespace tripline::agent {

// Times as Windows collectors write them, to UTC microseconds since the epoch. Pure functions.
//
// ISO 8601 / RFC 3339 and the NXLog form: `YYYY-MM-DD[T| ]hh:mm:ss[.fraction][Z|+hh:mm|-hhmm]`,
// any number of fraction digits (EVTX SystemTime has 7 or 9). A time without a zone is taken as
// UTC (configure NXLog to write UTC or an offset; local time cannot be guessed on the server).
// Returns false on anything else.
bool ParseWindowsTime(std::string_view text, int64_t& micros);

// FILETIME (100 ns ticks since 1601-01-01 UTC) -> microseconds since 1970-01-01 UTC.
int64_t FileTimeToMicros(uint64_t filetime);

}  // namespace tripline::agent
