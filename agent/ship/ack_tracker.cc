#include "agent/ship/ack_tracker.h"

namespace tripline::agent {

uint64_t AckTracker::Add(std::string source, std::string file_id, uint64_t end_offset) {
  if (entries_.empty()) first_seq_ = next_seq_;
  entries_.push_back(Entry{Position{std::move(source), std::move(file_id), end_offset}, false});
  return next_seq_++;
}

void AckTracker::Ack(uint64_t seq) {
  if (seq < first_seq_ || seq >= first_seq_ + entries_.size()) return;  // already popped
  entries_[seq - first_seq_].delivered = true;
}

std::optional<AckTracker::Position> AckTracker::PopDelivered() {
  std::optional<Position> last;
  while (!entries_.empty() && entries_.front().delivered) {
    last = std::move(entries_.front().position);
    entries_.pop_front();
    ++first_seq_;
  }
  return last;
}

}  // namespace tripline::agent
