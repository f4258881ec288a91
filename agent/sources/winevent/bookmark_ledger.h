#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tripline::agent {

// Where a channel's reading stands after one record.
struct WineventMark {
  uint64_t record_id = 0;  // EventRecordID
  // Which numbering of the channel's log the record belongs to. Windows numbers records from 1
  // again after a log is cleared; the generation is part of the event ids' file_id, so that a
  // record of the new log never gets the id of an older record with the same number.
  uint64_t generation = 0;
  // The EvtRender(EvtRenderBookmark) XML of the record, e.g.
  // <BookmarkList><Bookmark Channel='Security' RecordId='5' IsCurrent='true'/></BookmarkList>.
  // Empty: no bookmark (the position was lost; the next subscription starts afresh).
  std::string bookmark;

  bool operator==(const WineventMark&) const = default;
};

// Maps "the first N records emitted since Start() are durable" (Source::DurableState) to one
// bookmark per channel, so that the persisted state advances only behind delivery, as the file
// sources' positions do. Records of several channels interleave in emit order; each channel's
// durable mark is the mark of its last record among the first N.
//
// State (DurableState(), Load()): text, line 1 `tripline-winevent-state v1`, then one line per
// channel with a durable record, in channel name order:
//   `channel \t record_id \t generation \t bookmark`
// channel and bookmark escaped (`\\`, `\t`, `\n`, `\r`: bookmark XML has line breaks). Channels
// no longer configured are kept, so that a channel removed and added again resumes. Load()
// refuses anything else (another header or version, a malformed line): the source must not
// guess where it was.
//
// Lifecycle: one per source, Load()ed at Start(). Thread: the owning source's (the agent's main
// loop). Memory: one mark per record emitted and not yet durable (the agent reports durability
// at every spool sync, so this is at most a sync interval of records).
class BookmarkLedger {
 public:
  static constexpr std::string_view kStateHeader = "tripline-winevent-state v1";

  // Replaces everything with the saved `state` (empty: nothing saved yet). Counting of emitted
  // records restarts at 0.
  [[nodiscard]] absl::Status Load(std::string_view state);

  // The last record of `channel` made durable, or null.
  const WineventMark* Durable(const std::string& channel) const;
  // The last record of `channel` emitted (else the durable one), or null: where a
  // resubscription resumes.
  const WineventMark* Last(const std::string& channel) const;

  // The generation a record numbered `record_id` belongs to: the last one's, or the next when
  // the number is not above the last record's (the log was cleared and renumbered).
  uint64_t GenerationOf(const std::string& channel, uint64_t record_id) const;

  // Records that `mark` of `channel` was emitted (in emit order).
  void Emitted(const std::string& channel, WineventMark mark);

  // The channel's saved position is gone (its record was cleared or overwritten): the next
  // records start a new generation and a resubscription starts without a bookmark. The durable
  // mark stays until a newer record is durable, so a restart meanwhile finds the same gap.
  void PositionLost(const std::string& channel);

  // The first `count` records emitted since Load() are durable; returns the state to persist.
  // `count` beyond what was emitted is taken as everything emitted.
  std::string DurableState(uint64_t count);

  uint64_t emitted() const { return emitted_; }
  size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    uint64_t seq;
    std::string channel;
    WineventMark mark;
  };

  std::map<std::string, WineventMark> durable_;
  std::map<std::string, WineventMark> last_;
  std::deque<Pending> pending_;
  uint64_t emitted_ = 0;
};

}  // namespace tripline::agent
