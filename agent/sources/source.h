#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// Called by a source once per record, in order. The event is copied (serialized, on its way to
// the spool) before the call returns; the source may reuse it. An error means the agent cannot
// take the record now (the spool is behind: full under the `block` policy, failed, or slower
// than the reading): the source stops this poll and hands the same record again at its next
// Poll().
using EmitFn = std::function<absl::Status(const v1::Event&)>;

struct SourceCounters {
  uint64_t records = 0;          // events emitted
  uint64_t bytes = 0;            // input bytes consumed
  uint64_t parse_errors = 0;     // shipped as AppLog events labelled parse_error, never dropped
  uint64_t truncated = 0;        // over-long lines cut, or bounded fields cut
  uint64_t read_errors = 0;      // I/O or format errors while reading (broken EVTX chunk, ...)
  uint64_t encoding_errors = 0;  // lines with invalid UTF-8/UTF-16, shipped with U+FFFD in place
};

// Something on the host that produces Events: tailed files, an EVTX folder, a watched folder, the
// process table, ...
//
// Lifecycle: built from its typed config section, Start()ed once with the state it saved last
// time, then polled by the agent's reading thread until stop; destroyed after the last
// DurableState() call. Thread: one at a time, never concurrently (the agent's reading thread
// polls under the lock the main loop takes for everything else; see ReaderThread); a source never
// blocks in Poll() (it reads what is there, bounded by `budget`, and returns). A source may own
// a helper thread (inotify, netlink) as long as Poll() is where its records are emitted.
//
// Delivery contract (DESIGN.md §3): a record counts as read only once it is durable in the
// agent's spool. The agent tells the source so through DurableState(count), and persists the
// state string it returns; after a crash Start() gets that string back and the source resumes
// right after the last durable record, neither skipping nor re-reading more than it must.
class Source {
 public:
  virtual ~Source() = default;

  virtual const std::string& name() const = 0;

  // `saved_state` is the last string DurableState() returned (empty on first start). A state the
  // source cannot understand is an error (the agent refuses to guess where it was).
  [[nodiscard]] virtual absl::Status Start(std::string_view saved_state) = 0;

  // Reads at most about `budget` bytes of input and calls `emit` once per record, in order.
  // Returns the amount of input consumed (0: nothing new). Errors from `emit` end the poll and
  // are returned; the record that failed is handed again next time.
  [[nodiscard]] virtual absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) = 0;

  // The first `count` records emitted since Start() are durable. Returns the opaque state to
  // persist for a restart to resume right after them (the source keeps what it needs to map a
  // count to a position, and forgets what is older).
  virtual std::string DurableState(uint64_t count) = 0;

  virtual const SourceCounters& counters() const = 0;
  // Input known but not yet read (bytes of tailed files not yet read), for the lag metric.
  virtual uint64_t LagBytes() const { return 0; }
};

}  // namespace tripline::agent
