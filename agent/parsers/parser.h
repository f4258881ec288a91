#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

enum class LineKind {
  kRecord,   // the event's body and event_time were filled
  kSkipped,  // a header, directive, comment or blank line: nothing to ship
};

// Turns one line of a log into the typed body of an Event.
//
// Lifecycle: one instance per tailed file, created by MakeParser() when the file is opened and
// destroyed with it. Thread: called only from the owning source's thread, never concurrently.
// State: parsers that are driven by headers (W3C `#Fields:`, Exchange CSV header lines) keep the
// current layout between calls; Reset() forgets it when the file starts over.
class Parser {
 public:
  virtual ~Parser() = default;

  // Called once per complete line, in file order, without its line terminator. Fills the body
  // and event_time of `event`; the envelope (ids, host, source, original) is the caller's.
  // A malformed line returns an error naming the problem: the caller counts it, logs a sample
  // and goes on with the next line. Never throws, never aborts.
  [[nodiscard]] virtual absl::StatusOr<LineKind> Parse(std::string_view line,
                                                       v1::Event& event) = 0;

  // Called when the file was truncated or replaced: the next line is the first of a new file.
  virtual void Reset() = 0;

  // The body every record line of this format gets, or BODY_NOT_SET when it varies. The caller
  // may place a cleared body of that kind in `event` before Parse() (reusing its buffers).
  virtual v1::Event::BodyCase body() const { return v1::Event::BODY_NOT_SET; }
};

// One list of what exists (parsers/builtin.cc). Returns nullptr for an unknown format name.
std::unique_ptr<Parser> MakeParser(std::string_view format);
// The names MakeParser() accepts, for config validation and --help.
const std::vector<std::string>& ParserFormats();

}  // namespace tripline::agent
