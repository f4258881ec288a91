#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "agent/sources/file/file_source.h"
#include "agent/sources/source.h"

namespace tripline::agent {

// The envelope, numbering and outbox shared by the host sources (process, service, network).
//
// Records are numbered per source across restarts: record N has event_id
// EventId(agent_id, "<kind>:<boot id>", N), source.file_id "<kind>:<boot id>" and
// source.position N. Numbers are given at emission, so a record handed again after a failed
// emit keeps its number, and a record dropped from a full outbox never used one.
//
// Sequence state (the text DurableState() persists): one line `tripline-<kind>-state v1 <boot id>
// <next sequence number>`. Sources with more state (services) append their own lines after it.
//
// Lifecycle: owned by one source, used on the agent main loop only. `identity` is not owned and
// must outlive the emitter.
class HostEmitter {
 public:
  // `max_queued` bounds the outbox (0: unbounded; the owner bounds it by scanning only when the
  // outbox is empty).
  HostEmitter(const AgentIdentity* identity, v1::Source::Kind kind, std::string kind_name,
              std::string source_name, std::string boot_id, size_t max_queued);

  // Restores the sequence from the first line of a saved state; empty is a first start.
  [[nodiscard]] absl::Status Restore(std::string_view first_line);
  // The first line of the state after `durable_count` records became durable.
  std::string StateLine(uint64_t durable_count) const;

  // A new event with the envelope filled except its ids (observed/event time = now unless set).
  v1::Event NewEvent(std::string_view path, std::string_view format) const;
  // Queues an event; false (and counted in dropped()) when the outbox is full.
  bool Push(v1::Event event);
  // Emits queued events in order until about `budget` bytes went out or `emit` fails (the
  // failed record stays first in line). Returns the serialized bytes emitted.
  [[nodiscard]] absl::StatusOr<size_t> Drain(size_t budget, const EmitFn& emit,
                                             SourceCounters& counters);

  bool empty() const { return queue_.empty(); }
  size_t queued() const { return queue_.size(); }
  uint64_t emitted() const { return emitted_; }
  uint64_t dropped() const { return dropped_; }
  const std::string& boot_id() const { return boot_id_; }
  const std::string& file_id() const { return file_id_; }

 private:
  const AgentIdentity* identity_;
  v1::Source::Kind kind_;
  std::string kind_name_;
  std::string source_name_;
  std::string boot_id_;
  std::string file_id_;
  size_t max_queued_;
  std::deque<v1::Event> queue_;
  uint64_t base_seq_ = 0;  // sequence number of the first record emitted since Start()
  uint64_t emitted_ = 0;
  uint64_t dropped_ = 0;
};

// Logs the first few problems of a kind, then one in every thousand.
inline bool ShouldLogHost(uint64_t count) { return count <= 10 || count % 1000 == 0; }

}  // namespace tripline::agent
