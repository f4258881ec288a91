#pragma once

#include "agent/parsers/parser.h"

namespace tripline::agent {

// Any text log: the line (without a trailing CR) becomes AppLog.message; blank lines are
// skipped. No event_time is set: the caller's observed_time stands in for it.
//
// Lifecycle, thread and ownership as for every Parser (parser.h); stateless, so Reset() does
// nothing.
class PlainParser final : public Parser {
 public:
  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override {}
};

}  // namespace tripline::agent
