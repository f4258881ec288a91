#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "agent/checkpoint/checkpoint_store.h"
#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// A record a source produced, with the position a checkpoint may move to once it is delivered.
struct SourceRecord {
  const v1::Event& event;
  std::string_view file_id;
  uint64_t end_offset;
};
using EmitFn = std::function<absl::Status(const SourceRecord&)>;

struct SourceCounters {
  uint64_t lines = 0;
  uint64_t records = 0;
  uint64_t parse_errors = 0;    // shipped as AppLog events labelled parse_error, never dropped
  uint64_t truncated_lines = 0;
  uint64_t bytes = 0;
};

// Something on the host that produces Events (a tailed file, an EVTX folder, a watched folder).
//
// Lifecycle: built from its typed config section at start, Resume()d from its checkpoint once,
// then polled by the agent's main loop until stop. Thread: the agent's main loop only. A source
// never blocks in Poll(): it reads what is there, bounded by `budget`, and returns.
class Source {
 public:
  virtual ~Source() = default;

  virtual const std::string& name() const = 0;
  virtual void Resume(const Checkpoint& checkpoint) = 0;
  // Reads at most `budget` bytes and calls `emit` once per record, in order. An error from
  // `emit` stops the poll and is returned. Returns the bytes consumed (0: nothing new).
  [[nodiscard]] virtual absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) = 0;
  virtual const SourceCounters& counters() const = 0;
};

}  // namespace tripline::agent
