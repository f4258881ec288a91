#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/spool/segment.h"

namespace tripline::spool {

struct SpoolConfig {
  std::string dir;
  uint64_t max_bytes = 1ull << 30;       // quota over all segment files
  uint64_t segment_bytes = 16ull << 20;  // a new segment starts past this size
  enum class FullPolicy { kBlock, kDropOldest };
  FullPolicy full_policy = FullPolicy::kBlock;
};

struct SpoolCounters {
  uint64_t appended = 0;
  uint64_t acked = 0;
  uint64_t dropped = 0;          // unacknowledged records removed by drop-oldest
  uint64_t corrupt = 0;          // frames skipped because their CRC or length was wrong
  uint64_t full_rejections = 0;  // appends refused under the block policy
};

// A durable queue of (key, value) records in CRC-framed segment files: the agent's queue between
// its sources and Kafka (DESIGN.md §3), and the correlator's alert outbox per sink.
//
// Records get increasing sequence numbers. Append() writes a frame to the newest segment; Sync()
// makes everything appended so far durable (group fsync, on the agent's timer). The producer
// side reads records in order with Peek()/Advance() and reports deliveries with Ack(), in any
// order; the ack cursor moves over the contiguous delivered prefix and is persisted at Sync().
// Segments wholly below the cursor are deleted. After a crash, Open() finds the segments, drops
// a torn tail, skips corrupt frames (counted) and resumes reading right after the persisted ack
// cursor, so unacknowledged records are sent again (at least once; same event ids).
// At quota, `block` refuses appends (the sources pause) and `drop-oldest` deletes the oldest
// segment, counting every unacknowledged record it held. A full filesystem (ENOSPC) is treated
// the same way: Append() and Sync() return ResourceExhausted under `block` (what could not be
// written stays buffered, nothing is lost), and `drop-oldest` deletes old segments to make room.
// Thread-compatible: one thread at a time (the agent's main loop; the correlator's alert outbox
// guards it with a mutex).
class Spool {
 public:
  static absl::StatusOr<std::unique_ptr<Spool>> Open(SpoolConfig config);
  ~Spool();

  // ResourceExhausted when the quota is reached under `block` (or the disk is full).
  absl::StatusOr<uint64_t> Append(std::string_view key, std::string_view value);
  [[nodiscard]] absl::Status Sync();

  // The next record to send, or nullptr when there is none yet. Stays the same until Advance().
  const SpoolRecord* Peek();
  void Advance();
  void Ack(uint64_t seq);
  // True when record `seq`, just appended, is the next one to read: the caller may hand it to the
  // producer straight from memory and call TakenDirectly(seq) instead of reading it back.
  bool IsNextToRead(uint64_t seq) const { return !has_peeked_ && read_next_ == seq; }
  void TakenDirectly(uint64_t seq);
  // True when every record appended so far was read (or taken directly): the next append is the
  // next record to read.
  bool CaughtUp() const { return IsNextToRead(next_seq_); }
  // Reads again from the first unacknowledged record (after the producer was recreated).
  void Rewind();

  uint64_t bytes() const { return bytes_; }
  size_t segments() const { return segments_.size(); }
  uint64_t unacked() const { return next_seq_ - 1 - acked_; }
  // Append time of the oldest unacknowledged record (0 when none).
  int64_t oldest_unacked_time_us() const;
  const SpoolCounters& counters() const { return counters_; }

 private:
  struct Segment {
    std::string path;
    uint64_t first_seq = 0;  // the seq in the file name
    uint64_t last_seq = 0;   // highest seq in the file (first_seq - 1 when empty)
    uint64_t bytes = 0;
    int64_t first_time_us = 0;  // append time of its first record
  };

  explicit Spool(SpoolConfig config) : config_(std::move(config)) {}
  absl::Status Recover();
  absl::Status ScanSegment(Segment& segment, bool is_last);
  absl::Status StartSegment();
  absl::Status WithRoom(const std::function<absl::Status()>& write);
  void DropOldest();
  void DeleteAckedSegments();
  bool OpenReaderAt(uint64_t seq);
  std::string SegmentPath(uint64_t first_seq) const;

  SpoolConfig config_;
  std::vector<Segment> segments_;  // oldest first; the last one is being written
  SegmentWriter writer_;
  uint64_t bytes_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t acked_ = 0;            // every seq <= acked_ was delivered
  uint64_t persisted_acked_ = 0;  // what the ack file says
  std::deque<bool> delivered_;    // seqs acked_+1, acked_+2, ...: delivered out of order
  // Records drop-oldest removed while the producer held them (read, not yet acknowledged): they
  // are lost only if the producer fails them (Rewind()), and are counted as dropped then.
  std::set<uint64_t> dropped_in_flight_;
  // Reading.
  std::unique_ptr<SegmentReader> reader_;
  size_t reader_segment_ = 0;  // index into segments_
  SpoolRecord peeked_;
  bool has_peeked_ = false;
  uint64_t read_next_ = 1;  // seq the reader expects next
  // Where reading resumes after records taken directly: seq, its segment and frame offset.
  struct Resume {
    uint64_t seq = 0;
    uint64_t segment_first_seq = 0;
    uint64_t offset = 0;
  } resume_;
  SpoolCounters counters_;
};

}  // namespace tripline::spool
