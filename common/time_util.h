#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "google/protobuf/timestamp.pb.h"

namespace tripline {

using Micros = std::chrono::microseconds;

// Wall clock as a protobuf Timestamp.
google::protobuf::Timestamp NowTimestamp();
google::protobuf::Timestamp TimestampFromMicros(int64_t micros);
int64_t MicrosFromTimestamp(const google::protobuf::Timestamp& ts);

// Days since 1970-01-01 of a proleptic Gregorian date (no time zone, no locale).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// RFC 3339 UTC with millisecond precision: 2021-03-05T03:06:27.000Z.
std::string Rfc3339(const google::protobuf::Timestamp& ts);

}  // namespace tripline
