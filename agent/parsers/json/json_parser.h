#pragma once

#include <string>
#include <vector>

#include "agent/parsers/parser.h"

namespace tripline::agent {

// JSON lines: each line one JSON object, flattened into AppLog.fields with dotted keys
// (`{"a":{"b":[1,{"c":2}]}}` -> a.b.0 = "1", a.b.1.c = "2"). Strings are stored unescaped,
// numbers as written, booleans as "true"/"false"; nulls and empty objects/arrays leave no field.
// A top-level `message` (else `msg`) string becomes AppLog.message instead of a field. The first
// of `@timestamp`, `timestamp`, `time`, `eventTime` (CloudTrail), `published` (Okta) that is an
// RFC 3339 string sets event_time (all stay in fields). Errors: invalid JSON names the byte
// offset; a top level that is not an object, and nesting deeper than kMaxDepth objects/arrays,
// are errors too. The line is read by a streaming (SAX) parser: no document tree is built and
// deep input cannot exhaust the stack.
//
// Lifecycle, thread and ownership as for every Parser (parser.h); stateless between lines, so
// Reset() does nothing.
class JsonParser final : public Parser {
 public:
  static constexpr size_t kMaxDepth = 64;

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override {}
};

}  // namespace tripline::agent
