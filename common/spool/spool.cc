#include "common/spool/spool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "common/file_util.h"
#include "common/time_util.h"

namespace tripline::spool {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSegmentSuffix = ".seg";

int64_t NowMicros() { return MicrosFromTimestamp(NowTimestamp()); }

}  // namespace

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(SpoolConfig config) {
  std::error_code ec;
  fs::create_directories(config.dir, ec);
  if (ec) return absl::InternalError("spool dir " + config.dir + ": " + ec.message());
  std::unique_ptr<Spool> spool(new Spool(std::move(config)));
  TRIPLINE_RETURN_IF_ERROR(spool->Recover());
  return spool;
}

Spool::~Spool() { (void)Sync(); }

std::string Spool::SegmentPath(uint64_t first_seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(first_seq));
  return config_.dir + "/" + name + std::string(kSegmentSuffix);
}

absl::Status Spool::ScanSegment(Segment& segment, bool is_last) {
  SegmentReader reader;
  if (absl::Status st = reader.Open(segment.path); !st.ok()) {
    // A segment without even its magic (crash right after creation): empty.
    if (!is_last) return st;
    segment.bytes = 0;
    return absl::OkStatus();
  }
  SpoolRecord record;
  uint64_t good_end = reader.offset();
  while (true) {
    SegmentReader::Result r = reader.Next(&record);
    if (r == SegmentReader::Result::kRecord) {
      if (segment.last_seq < segment.first_seq) segment.first_time_us = record.append_time_us;
      segment.last_seq = std::max(segment.last_seq, record.seq);
      good_end = reader.offset();
      continue;
    }
    if (r == SegmentReader::Result::kEnd || is_last || !reader.SkipCorrupt()) break;
  }
  segment.bytes = is_last ? good_end : fs::file_size(segment.path);
  return absl::OkStatus();
}

absl::Status Spool::Recover() {
  auto ack = ReadWholeFile(config_.dir + "/ack");
  if (ack.ok()) {
    std::from_chars(ack->data(), ack->data() + ack->size(), acked_);
    persisted_acked_ = acked_;
  }
  for (const auto& entry : fs::directory_iterator(config_.dir)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(kSegmentSuffix)) continue;
    Segment s;
    s.path = entry.path().string();
    std::from_chars(name.data(), name.data() + name.size(), s.first_seq);
    s.last_seq = s.first_seq - 1;
    segments_.push_back(s);
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  for (size_t i = 0; i < segments_.size();) {
    const bool is_last = i + 1 == segments_.size();
    if (absl::Status st = ScanSegment(segments_[i], is_last); !st.ok()) {
      // An older segment whose header is gone cannot be framed at all: its records are lost
      // (counted as corrupt: here when it is the oldest, else by Peek() as the gap it leaves),
      // the file is kept aside for inspection, and the rest goes on.
      uint64_t lost = segments_[i + 1].first_seq - segments_[i].first_seq;
      if (i == 0) counters_.corrupt += lost;
      std::error_code ec;
      fs::rename(segments_[i].path, segments_[i].path + ".corrupt", ec);
      spdlog::error("spool {}: {}: {} record(s) lost, file kept as {}.corrupt", config_.dir,
                    st.ToString(), lost, segments_[i].path);
      segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    bytes_ += segments_[i].bytes;
    next_seq_ = std::max(next_seq_, segments_[i].last_seq + 1);
    ++i;
  }
  // Segments are deleted as soon as they are acknowledged, the ack file only at the next Sync():
  // after a crash in between, what precedes the oldest segment was delivered.
  if (!segments_.empty()) acked_ = std::max(acked_, segments_.front().first_seq - 1);
  next_seq_ = std::max(next_seq_, acked_ + 1);
  if (segments_.empty()) {
    TRIPLINE_RETURN_IF_ERROR(StartSegment());
  } else {
    bytes_ -= segments_.back().bytes;
    TRIPLINE_RETURN_IF_ERROR(writer_.Open(segments_.back().path, segments_.back().bytes));
    segments_.back().bytes = writer_.size();
    bytes_ += segments_.back().bytes;
  }
  DeleteAckedSegments();
  read_next_ = acked_ + 1;
  if (next_seq_ - 1 > acked_) {
    spdlog::info("spool {}: {} record(s) not yet delivered, sending them again", config_.dir,
                 next_seq_ - 1 - acked_);
  }
  return absl::OkStatus();
}

absl::Status Spool::StartSegment() {
  TRIPLINE_RETURN_IF_ERROR(WithRoom([this] { return writer_.Sync(); }));
  Segment s;
  s.path = SegmentPath(next_seq_);
  s.first_seq = next_seq_;
  s.last_seq = next_seq_ - 1;
  // On a full disk the new file exists but its magic could not be written: it waits in the
  // writer's buffer, so the segment is the writer's all the same and is kept (frames appended
  // next belong to it), and the magic goes out with them at the next successful flush.
  absl::Status opened = writer_.Open(s.path, 0);
  if (!opened.ok() && !absl::IsResourceExhausted(opened)) return opened;
  s.bytes = writer_.size();
  bytes_ += s.bytes;
  segments_.push_back(s);
  if (opened.ok()) return opened;
  return WithRoom([this] { return writer_.Flush(); });
}

// The spool's filesystem is full (ENOSPC): under drop_oldest the disk is the quota then, so
// the oldest segments go (their unsent records counted, as at the quota) until `write`
// succeeds or only the segment being written is left; under block the error stands and the
// caller waits (the agent's sources pause) until deliveries free whole segments.
absl::Status Spool::WithRoom(const std::function<absl::Status()>& write) {
  absl::Status st = write();
  while (absl::IsResourceExhausted(st) &&
         config_.full_policy == SpoolConfig::FullPolicy::kDropOldest && segments_.size() > 1) {
    DropOldest();
    st = write();
  }
  return st;
}

absl::StatusOr<uint64_t> Spool::Append(std::string_view key, std::string_view value) {
  uint64_t frame = kFrameHeaderBytes + kPayloadHeaderBytes + key.size() + value.size();
  if (bytes_ + frame > config_.max_bytes) {
    if (config_.full_policy == SpoolConfig::FullPolicy::kBlock) {
      ++counters_.full_rejections;
      return absl::ResourceExhaustedError("spool full (" + std::to_string(bytes_) + " bytes)");
    }
    if (segments_.size() == 1 && segments_.back().last_seq >= segments_.back().first_seq) {
      TRIPLINE_RETURN_IF_ERROR(StartSegment());
    }
    while (bytes_ + frame > config_.max_bytes && segments_.size() > 1) DropOldest();
  }
  if (writer_.size() >= config_.segment_bytes) TRIPLINE_RETURN_IF_ERROR(StartSegment());
  int64_t now = NowMicros();
  TRIPLINE_RETURN_IF_ERROR(WithRoom([&] { return writer_.Append(next_seq_, now, key, value); }));
  Segment& s = segments_.back();
  if (s.last_seq < s.first_seq) s.first_time_us = now;
  s.last_seq = next_seq_;
  bytes_ += writer_.size() - s.bytes;
  s.bytes = writer_.size();
  ++counters_.appended;
  return next_seq_++;
}

absl::Status Spool::Sync() {
  TRIPLINE_RETURN_IF_ERROR(WithRoom([this] { return writer_.Sync(); }));
  if (acked_ != persisted_acked_) {
    TRIPLINE_RETURN_IF_ERROR(WriteFileAtomically(config_.dir + "/ack", std::to_string(acked_)));
    persisted_acked_ = acked_;
  }
  return absl::OkStatus();
}

bool Spool::OpenReaderAt(uint64_t seq) {
  size_t i = 0;
  while (i + 1 < segments_.size() && segments_[i].last_seq < seq) ++i;
  auto reader = std::make_unique<SegmentReader>();
  if (!reader->Open(segments_[i].path).ok()) return false;
  if (resume_.seq == seq && resume_.segment_first_seq == segments_[i].first_seq) {
    reader->SkipTo(resume_.offset);
  }
  reader_ = std::move(reader);
  reader_segment_ = i;
  return true;
}

const SpoolRecord* Spool::Peek() {
  if (has_peeked_) return &peeked_;
  if (read_next_ >= next_seq_) return nullptr;  // everything appended was read
  while (true) {
    if (!reader_ && !OpenReaderAt(read_next_)) return nullptr;
    SegmentReader::Result r = reader_->Next(&peeked_);
    if (r == SegmentReader::Result::kRecord) {
      if (peeked_.seq < read_next_) continue;
      uint64_t idx = peeked_.seq - acked_ - 1;
      if (peeked_.seq > acked_ && idx < delivered_.size() && delivered_[idx]) {
        read_next_ = peeked_.seq + 1;  // delivered before a Rewind()
        continue;
      }
      // Records between read_next_ and this one sat in corrupt frames: lost, counted, and
      // acknowledged so that the cursor can move past them.
      for (uint64_t lost = read_next_; lost < peeked_.seq; ++lost) {
        ++counters_.corrupt;
        Ack(lost);
      }
      has_peeked_ = true;
      return &peeked_;
    }
    if (r == SegmentReader::Result::kCorrupt && reader_->SkipCorrupt()) continue;
    if (reader_segment_ + 1 >= segments_.size()) {
      // The newest segment: frames may still sit in the write buffer.
      if (r == SegmentReader::Result::kEnd && writer_.has_buffered() && writer_.Flush().ok()) {
        continue;
      }
      return nullptr;
    }
    reader_.reset();
    ++reader_segment_;
    auto reader = std::make_unique<SegmentReader>();
    if (!reader->Open(segments_[reader_segment_].path).ok()) return nullptr;
    reader_ = std::move(reader);
  }
}

void Spool::TakenDirectly(uint64_t seq) {
  if (!IsNextToRead(seq) || seq + 1 != next_seq_) return;
  read_next_ = seq + 1;
  resume_ = Resume{seq + 1, segments_.back().first_seq, writer_.size()};
  if (reader_ && reader_segment_ + 1 == segments_.size()) {
    reader_->SkipTo(resume_.offset);
  } else {
    reader_.reset();  // opened again at resume_ when the producer side next reads
  }
}

void Spool::Advance() {
  if (!has_peeked_) return;
  read_next_ = peeked_.seq + 1;
  has_peeked_ = false;
}

void Spool::Ack(uint64_t seq) {
  if (!dropped_in_flight_.empty()) dropped_in_flight_.erase(seq);  // delivered after all
  if (seq <= acked_) return;
  uint64_t idx = seq - acked_ - 1;
  if (idx >= delivered_.size()) delivered_.resize(idx + 1, false);
  delivered_[idx] = true;
  while (!delivered_.empty() && delivered_.front()) {
    delivered_.pop_front();
    ++acked_;
    ++counters_.acked;
  }
  DeleteAckedSegments();
}

void Spool::Rewind() {
  // What drop-oldest removed while the producer held it will not be read again: lost now.
  counters_.dropped += dropped_in_flight_.size();
  dropped_in_flight_.clear();
  reader_.reset();
  has_peeked_ = false;
  read_next_ = acked_ + 1;
}

void Spool::DeleteAckedSegments() {
  while (segments_.size() > 1 && segments_.front().last_seq <= acked_) {
    std::error_code ec;
    fs::remove(segments_.front().path, ec);
    bytes_ -= segments_.front().bytes;
    segments_.erase(segments_.begin());
    if (reader_segment_ == 0) {
      reader_.reset();
    } else {
      --reader_segment_;
    }
  }
}

// Removes the oldest segment to make room. Records of it that were already handed to the
// producer stay in flight there (counted as dropped if it fails them: Rewind()); the ones never
// read are dropped, and exactly those are counted.
void Spool::DropOldest() {
  const Segment& oldest = segments_.front();
  std::vector<uint64_t> in_flight;  // read by the producer, not acknowledged
  for (uint64_t s = std::max(acked_ + 1, oldest.first_seq); s < read_next_ && s <= oldest.last_seq;
       ++s) {
    uint64_t idx = s - acked_ - 1;
    if (idx >= delivered_.size() || !delivered_[idx]) in_flight.push_back(s);
  }
  uint64_t first_unread = std::max(read_next_, oldest.first_seq);
  uint64_t lost = oldest.last_seq >= first_unread ? oldest.last_seq - first_unread + 1 : 0;
  counters_.dropped += lost;
  spdlog::warn("spool {} full: dropped {} unsent record(s) ({} dropped so far)", config_.dir, lost,
               counters_.dropped);
  uint64_t last = oldest.last_seq;
  std::string path = oldest.path;
  for (uint64_t s = std::max(acked_ + 1, oldest.first_seq); s <= last; ++s) Ack(s);
  dropped_in_flight_.insert(in_flight.begin(), in_flight.end());
  if (segments_.front().path == path) {  // Ack() did not delete it
    std::error_code ec;
    fs::remove(segments_.front().path, ec);
    bytes_ -= segments_.front().bytes;
    segments_.erase(segments_.begin());
    reader_.reset();
  }
  if (read_next_ <= last) {
    read_next_ = last + 1;
    reader_.reset();
    has_peeked_ = false;
  }
}

int64_t Spool::oldest_unacked_time_us() const {
  for (const Segment& s : segments_) {
    if (s.last_seq > acked_ && s.last_seq >= s.first_seq) return s.first_time_us;
  }
  return 0;
}

}  // namespace tripline::spool
