#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace tripline::agent {

// Tracks records in flight to Kafka, in the order they were read, and says how far the source
// checkpoint may advance: to the end of the longest prefix whose every record was delivered.
// A record delivered out of order (another partition was faster) does not move the checkpoint
// past an earlier record still in flight. Thread: the agent's main loop only.
class AckTracker {
 public:
  // Registers the next record; returns its sequence number (the producer's opaque).
  uint64_t Add(std::string source, std::string file_id, uint64_t end_offset);
  // Marks `seq` delivered.
  void Ack(uint64_t seq);

  struct Position {
    std::string source;
    std::string file_id;
    uint64_t end_offset;
  };
  // Pops every delivered record at the head and returns the last one popped, if any. The caller
  // checkpoints it (per source: one tracker per source keeps sources independent).
  std::optional<Position> PopDelivered();

  size_t in_flight() const { return entries_.size(); }

 private:
  struct Entry {
    Position position;
    bool delivered = false;
  };
  std::deque<Entry> entries_;
  uint64_t first_seq_ = 0;  // sequence number of entries_.front()
  uint64_t next_seq_ = 0;
};

}  // namespace tripline::agent
