#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/sources/source.h"
#include "agent/sources/winevent/bookmark_ledger.h"
#include "agent/sources/winevent/winevent_config.h"
#include "agent/sources/winevent/winevent_record_mapper.h"

namespace tripline::agent {

// Live Windows event log collection (Windows builds only; this header has no Windows types so
// that the agent's metrics can name the class): one pull-model subscription per configured
// channel, EvtSubscribe(signal event, channel, XPath query, bookmark) then EvtNext in batches of
// batch_size. Each event is rendered to XML (EvtRenderEventXml) and mapped by
// WineventRecordMapper (same reader and normalizer as EVTX files); its bookmark is rendered
// (EvtUpdateBookmark + EvtRenderBookmark) and kept by a BookmarkLedger until the agent reports
// the record durable, so the saved state never runs ahead of the spool.
//
// Start: a channel with a saved bookmark resumes after it (EvtSubscribeStartAfterBookmark |
// EvtSubscribeStrict); one without starts at `start_at` (oldest or future records).
// Recovery, all counted (WineventCounters) and logged with the channel, never fatal:
//  * the saved bookmark's record is gone at subscribe time (log cleared or wrapped while the
//    agent was down): a gap; the channel starts again at its oldest record, in a new generation;
//  * record numbers restart while subscribed (log cleared): a gap, new generation;
//  * EvtNext says the subscription is stale or its handle invalid (event log service restarted,
//    ERROR_EVT_QUERY_RESULT_STALE, ERROR_INVALID_HANDLE, ..._INVALID_POSITION): resubscribe after
//    the last emitted record (after three losses in a row without a record, only after
//    retry_interval); a subscription opened after a saved bookmark whose first read is stale is
//    the gap above, reported one step later;
//  * a batch too large for one RPC reply (RPC_S_INVALID_BOUND, large events): that channel's
//    batch size is halved and it resubscribes;
//  * the channel does not exist (Sysmon not installed): logged once, counted in
//    channels_missing while it lasts, tried again every retry_interval;
//  * any other subscribe or read failure: a read error, retried after retry_interval.
// An invalid XPath query is a configuration error: Start() fails.
// Records that cannot be rendered or read are read errors, logged (sampled) and skipped.
//
// Lifecycle, thread: as Source (the agent's main loop only; Poll() never waits: the signal
// event is tested with a zero timeout and EvtNext is called with a zero timeout). Owns its
// subscription, bookmark and event handles and the signal events; all closed when destroyed.
class WineventSource final : public Source {
 public:
  WineventSource(WineventSourceConfig config, std::string agent_id, v1::Host host);
  ~WineventSource() override;
  WineventSource(const WineventSource&) = delete;
  WineventSource& operator=(const WineventSource&) = delete;

  const std::string& name() const override { return config_.name; }
  absl::Status Start(std::string_view saved_state) override;
  absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }

  const WineventCounters& winevent_counters() const { return winevent_counters_; }
  const WindowsEventNormalizer::Counters& normalizer_counters() const {
    return mapper_.normalizer_counters();
  }

 private:
  struct Channel;  // a subscription and its Windows handles (winevent_source.cc)

  void Subscribe(Channel& channel);
  void SubscribeFailed(Channel& channel, unsigned long error);
  void Unsubscribe(Channel& channel);
  void Resubscribe(Channel& channel, unsigned long error);
  absl::Status Drain(Channel& channel, size_t budget, size_t& consumed, const EmitFn& emit);
  bool Fetch(Channel& channel);
  absl::Status EmitNext(Channel& channel, size_t& consumed, const EmitFn& emit);
  void SkipNext(Channel& channel);
  void CountReadError(const Channel& channel, const std::string& what);

  WineventSourceConfig config_;
  std::vector<std::unique_ptr<Channel>> channels_;
  size_t first_channel_ = 0;  // rotates, so that a busy channel cannot starve the others
  BookmarkLedger ledger_;
  WineventRecordMapper mapper_;
  SourceCounters counters_;
  WineventCounters winevent_counters_;
  std::vector<wchar_t> render_buffer_;  // reused by every EvtRender
  v1::Event event_;                     // reused for every record
};

}  // namespace tripline::agent
