#pragma once

#include <string>
#include <string_view>

namespace tripline::correlator::cli {

// Picks the agent parser format (a name MakeParser() accepts) for a log file from its first
// bytes, so that `tripline hunt` works on a folder of mixed logs without --format:
//   `#Log-type: HttpProxy ...`, or a `DateTime,RequestId,...` header     -> httpproxy
//   `#Log-type: ECP ...`                                                -> ecp
//   `#Log-type: OAB ...`                                                -> oab
//   `#Fields: date time ...` or `#Software: Microsoft Internet Information Services` -> w3c
//   a first data line starting with `{` that names EventID or winlog    -> winevent_json
//   any other first data line starting with `{`                         -> json
//   anything else                                                       -> plain
// Directives (`#...`) are read until the first data line; a UTF-8 byte order mark is skipped.
// Pure function, no I/O.
std::string DetectFormat(std::string_view head);

// True when the first data line is a lone `{` or `[`: a pretty-printed JSON document, which no
// line parser can read (hunt skips such files when the format is detected, instead of
// reporting every line as a parse error).
bool IsJsonDocument(std::string_view head);

// True when the text opens with `{"Records":[`: a CloudTrail export (one JSON document holding
// every record), which must be split into one record per line before a line parser can read it.
bool IsRecordsEnvelope(std::string_view head);

// The first 64 KiB of `path` ("" when unreadable).
std::string ReadHead(const std::string& path);

// Reads up to 64 KiB of `path` and calls DetectFormat(). An unreadable file is "plain" (the
// source reports the read error itself when it opens the file).
std::string DetectFileFormat(const std::string& path);

}  // namespace tripline::correlator::cli
