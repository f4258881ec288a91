#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// The EventData column of the ECP Server log: `;`-separated `S:KEY=value` pairs. A pair that
// contains quotes or separators is wrapped in '...' with inner ' doubled:
//   'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script ...>''.Identity=''982d...'''
// Pure functions, no state: callable from any thread.

struct EcpPair {
  std::string key;    // without the `S:` prefix: CMD, EX, SID, URL, ...
  std::string value;  // unescaped
};

// Splits EventData into pairs (empty pairs from `;;` are skipped). `out` is cleared first.
// An unbalanced '...' wrapper is an error naming its byte offset.
[[nodiscard]] absl::Status ParseEcpEventData(std::string_view event_data,
                                             std::vector<EcpPair>& out);

// Parses an S:CMD value, `Cmdlet.Param=value.Param='quoted value'` or
// `Pipeline.<n>|Cmdlet.Param=value`, into name and parameters of `cmdlet`. Values in '...'
// (inner '' for ') are taken whole; an unquoted value runs to the next `.Name=` where Name is an
// identifier. A parameter without `=` is a switch with an empty value. When a pipeline has several
// `|` stages, the last stage is the cmdlet. command_line is not touched.
[[nodiscard]] absl::Status ParseEcpCommand(std::string_view command, v1::ExchangeCmdlet& cmdlet);

}  // namespace tripline::agent
