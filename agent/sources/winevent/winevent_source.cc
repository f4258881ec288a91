#include "agent/sources/winevent/winevent_source.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "agent/sources/winevent/evt_api.h"
#include "common/platform/file.h"

namespace tripline::agent {
namespace {

using winevent::EvtHandle;
using Clock = std::chrono::steady_clock;

// A subscription that goes stale this often in a row without yielding a record waits
// retry_interval before the next attempt, instead of resubscribing at every poll.
constexpr int kMaxStaleInARow = 3;

// Logs the first few problems of a kind, then one in every thousand.
bool ShouldLog(uint64_t count) { return count <= 10 || count % 1000 == 0; }

// EvtSubscribe's answers, with EvtSubscribeStrict, when the bookmarked record is no more.
bool PositionGone(DWORD error) {
  return error == ERROR_NOT_FOUND || error == ERROR_EVT_QUERY_RESULT_STALE ||
         error == ERROR_EVT_QUERY_RESULT_INVALID_POSITION;
}

// EvtNext's answers when the subscription must be reopened.
bool SubscriptionLost(DWORD error) {
  return error == ERROR_EVT_QUERY_RESULT_STALE || error == ERROR_INVALID_HANDLE ||
         error == ERROR_EVT_QUERY_RESULT_INVALID_POSITION;
}

}  // namespace

struct WineventSource::Channel {
  Channel(WineventChannel c, uint32_t records_per_next)
      : config(std::move(c)),
        path(platform::Widen(config.name)),
        query(platform::Widen(config.query)),
        batch_size(records_per_next) {}
  ~Channel() {
    CloseBatch();
    subscription.reset();  // before the event it signals
    if (signal != nullptr) CloseHandle(signal);
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  void CloseBatch() {
    for (size_t i = next; i < batch.size(); ++i) EvtClose(batch[i]);
    batch.clear();
    next = 0;
  }

  WineventChannel config;
  std::wstring path;
  std::wstring query;
  HANDLE signal = nullptr;  // manual-reset event the subscription sets when records arrive
  EvtHandle subscription;
  EvtHandle bookmark;             // follows the records read, for EvtRenderBookmark
  std::vector<EVT_HANDLE> batch;  // from EvtNext; [next, end) not yet read (owned)
  size_t next = 0;
  uint32_t batch_size;               // halved when a batch is too large for the RPC
  bool readable = false;             // read without waiting for the signal (new or unfinished)
  bool missing = false;              // the channel did not exist at the last attempt
  bool from_bookmark = false;        // the open subscription started after a saved bookmark
  int stale_in_a_row = 0;            // subscription losses since the last record read
  uint64_t records_read = 0;         // by the open subscription
  DWORD last_error = ERROR_SUCCESS;  // of the last failed EvtSubscribe
  Clock::time_point retry_at{};
};

WineventSource::WineventSource(WineventSourceConfig config, std::string agent_id, v1::Host host)
    : config_(std::move(config)), mapper_(config_.name, std::move(agent_id), std::move(host)) {}

WineventSource::~WineventSource() = default;

absl::Status WineventSource::Start(std::string_view saved_state) {
  if (absl::Status st = ledger_.Load(saved_state); !st.ok()) {
    return absl::InvalidArgumentError("winevent source " + config_.name + ": " +
                                      std::string(st.message()));
  }
  channels_.clear();
  winevent_counters_.channels_missing = 0;
  for (const WineventChannel& c : config_.channels) {
    auto channel = std::make_unique<Channel>(c, config_.batch_size);
    channel->signal =
        CreateEventW(nullptr, /*bManualReset=*/TRUE, /*bInitialState=*/FALSE, nullptr);
    if (channel->signal == nullptr) {
      return absl::InternalError("winevent source " + config_.name +
                                 ": CreateEvent: " + platform::Win32ErrorText(GetLastError()));
    }
    Subscribe(*channel);
    if (channel->last_error == ERROR_EVT_INVALID_QUERY) {
      return absl::InvalidArgumentError("winevent source " + config_.name + ": channel " + c.name +
                                        ": query '" + c.query +
                                        "' is not a valid XPath event filter");
    }
    channels_.push_back(std::move(channel));
  }
  return absl::OkStatus();
}

std::string WineventSource::DurableState(uint64_t count) { return ledger_.DurableState(count); }

// Not subscribed (other than a lost position): retried after retry_interval; a channel that
// does not exist is logged once and counted while it lasts.
void WineventSource::SubscribeFailed(Channel& channel, unsigned long error) {
  channel.retry_at = Clock::now() + config_.retry_interval;
  if (error != ERROR_EVT_CHANNEL_NOT_FOUND) {
    CountReadError(channel, "EvtSubscribe: " + platform::Win32ErrorText(error));
    return;
  }
  if (!channel.missing) {
    channel.missing = true;
    ++winevent_counters_.channels_missing;
    spdlog::warn("source {}: channel '{}' does not exist (not installed?); trying again every {} s",
                 config_.name, channel.config.name, config_.retry_interval.count() / 1000);
  }
}

// After a saved bookmark when there is one; after a lost position at the oldest record; else
// at start_at. A bookmark whose record is gone is a gap, and the channel starts at its oldest.
void WineventSource::Subscribe(Channel& channel) {
  const std::string& name = channel.config.name;
  const WineventMark* last = ledger_.Last(name);
  EvtHandle bookmark;
  if (last != nullptr && !last->bookmark.empty()) {
    bookmark.reset(EvtCreateBookmark(platform::Widen(last->bookmark).c_str()));
    if (!bookmark) {
      CountReadError(channel,
                     "saved bookmark rejected: " + platform::Win32ErrorText(GetLastError()));
      ++winevent_counters_.gaps;
      ledger_.PositionLost(name);
    }
  }
  DWORD flags = EvtSubscribeStartAfterBookmark | EvtSubscribeStrict;
  if (!bookmark) {
    bool oldest = ledger_.Last(name) != nullptr || config_.start_at == WineventStart::kOldest;
    flags = oldest ? EvtSubscribeStartAtOldestRecord : EvtSubscribeToFutureEvents;
  }
  ResetEvent(channel.signal);
  EVT_HANDLE subscription = EvtSubscribe(nullptr, channel.signal, channel.path.c_str(),
                                         channel.query.empty() ? nullptr : channel.query.c_str(),
                                         bookmark.get(), nullptr, nullptr, flags);
  if (subscription == nullptr) {
    DWORD error = GetLastError();
    channel.last_error = error;
    if (bookmark && PositionGone(error)) {
      ++winevent_counters_.gaps;
      spdlog::warn(
          "source {}: channel '{}': record {} of the saved position is gone (log cleared "
          "or wrapped); reading from the oldest record, records written meanwhile may "
          "be lost",
          config_.name, name, last->record_id);
      ledger_.PositionLost(name);
      Subscribe(channel);  // without a bookmark now: cannot come back here
      return;
    }
    SubscribeFailed(channel, error);
    return;
  }
  if (channel.missing) {
    channel.missing = false;
    --winevent_counters_.channels_missing;
    spdlog::info("source {}: channel '{}' exists now", config_.name, name);
  }
  channel.last_error = ERROR_SUCCESS;
  channel.subscription.reset(subscription);
  channel.from_bookmark = static_cast<bool>(bookmark);
  channel.records_read = 0;
  channel.bookmark = bookmark ? std::move(bookmark) : EvtHandle(EvtCreateBookmark(nullptr));
  channel.readable = true;  // what is already there is read without waiting for the signal
}

void WineventSource::Unsubscribe(Channel& channel) {
  channel.CloseBatch();
  channel.subscription.reset();
  channel.bookmark.reset();
  channel.readable = false;
}

void WineventSource::Resubscribe(Channel& channel, unsigned long error) {
  ++winevent_counters_.resubscribes;
  ++channel.stale_in_a_row;
  spdlog::info(
      "source {}: channel '{}': subscription lost ({}), resubscribing after the last "
      "record read",
      config_.name, channel.config.name, platform::Win32ErrorText(error));
  if (channel.from_bookmark && channel.records_read == 0 && PositionGone(error) &&
      error != ERROR_NOT_FOUND) {
    // Opened after the bookmark, but the first read says that position is gone: the same gap
    // as when EvtSubscribe refuses the bookmark, reported one step later.
    ++winevent_counters_.gaps;
    spdlog::warn(
        "source {}: channel '{}': cannot read after the saved position; reading from "
        "the oldest record, records written meanwhile may be lost",
        config_.name, channel.config.name);
    ledger_.PositionLost(channel.config.name);
  }
  Unsubscribe(channel);
  if (channel.stale_in_a_row >= kMaxStaleInARow) {
    channel.retry_at = Clock::now() + config_.retry_interval;
    return;
  }
  Subscribe(channel);
}

absl::StatusOr<size_t> WineventSource::Poll(size_t budget, const EmitFn& emit) {
  Clock::time_point now = Clock::now();
  size_t consumed = 0;
  const size_t n = channels_.size();
  for (size_t i = 0; i < n && consumed < budget; ++i) {
    Channel& channel = *channels_[(first_channel_ + i) % n];
    if (!channel.subscription && now >= channel.retry_at) Subscribe(channel);
    if (!channel.subscription) continue;
    TRIPLINE_RETURN_IF_ERROR(Drain(channel, budget, consumed, emit));
  }
  if (n > 0) first_channel_ = (first_channel_ + 1) % n;
  return consumed;
}

absl::Status WineventSource::Drain(Channel& channel, size_t budget, size_t& consumed,
                                   const EmitFn& emit) {
  if (!channel.readable) {
    if (WaitForSingleObject(channel.signal, 0) != WAIT_OBJECT_0) return absl::OkStatus();
    // Reset before reading: a record that arrives while we read sets it again.
    ResetEvent(channel.signal);
    channel.readable = true;
  }
  while (consumed < budget) {
    if (channel.next == channel.batch.size() && !Fetch(channel)) return absl::OkStatus();
    TRIPLINE_RETURN_IF_ERROR(EmitNext(channel, consumed, emit));
  }
  return absl::OkStatus();  // budget used up: `readable` stays set, the rest comes next poll
}

// Refills the batch; false when there is nothing to read now (or the subscription was lost).
bool WineventSource::Fetch(Channel& channel) {
  channel.CloseBatch();
  channel.batch.resize(channel.batch_size);
  DWORD returned = 0;
  if (EvtNext(channel.subscription.get(), channel.batch_size, channel.batch.data(),
              /*Timeout=*/0, 0, &returned)) {
    channel.batch.resize(returned);
    return returned > 0;
  }
  DWORD error = GetLastError();
  channel.batch.clear();
  if (error == ERROR_NO_MORE_ITEMS || error == ERROR_TIMEOUT) {
    channel.readable = false;  // until the subscription signals again
  } else if (SubscriptionLost(error)) {
    Resubscribe(channel, error);
  } else if (error == RPC_S_INVALID_BOUND && channel.batch_size > 1) {
    // The batch's events are too large for one RPC reply; the subscription is unusable now.
    channel.batch_size /= 2;
    Resubscribe(channel, error);
  } else {
    CountReadError(channel, "EvtNext: " + platform::Win32ErrorText(error));
    Unsubscribe(channel);
    channel.retry_at = Clock::now() + config_.retry_interval;
  }
  return false;
}

absl::Status WineventSource::EmitNext(Channel& channel, size_t& consumed, const EmitFn& emit) {
  const std::string& name = channel.config.name;
  EVT_HANDLE record_handle = channel.batch[channel.next];
  absl::StatusOr<std::string> xml =
      winevent::RenderXml(record_handle, EvtRenderEventXml, render_buffer_);
  WindowsEventRecord record;
  absl::Status read = xml.ok() ? WineventRecordMapper::Read(*xml, record) : xml.status();
  absl::StatusOr<std::string> bookmark = absl::InternalError("not rendered");
  if (read.ok() && !EvtUpdateBookmark(channel.bookmark.get(), record_handle)) {
    read = absl::InternalError("EvtUpdateBookmark: " + platform::Win32ErrorText(GetLastError()));
  }
  if (read.ok()) {
    bookmark = winevent::RenderXml(channel.bookmark.get(), EvtRenderBookmark, render_buffer_);
    read = bookmark.status();
  }
  if (!read.ok()) {
    CountReadError(channel, (record.record_id == 0 ? std::string("a record")
                                                   : "record " + std::to_string(record.record_id)) +
                                ": " + std::string(read.message()));
    SkipNext(channel);
    return absl::OkStatus();
  }
  const WineventMark* last = ledger_.Last(name);
  uint64_t generation = ledger_.GenerationOf(name, record.record_id);
  bool renumbered = last != nullptr && generation != last->generation;
  bool cut = mapper_.Fill(record, *xml, name, generation, event_);
  // Not taken (spool full): the handle stays, the same record is handed at the next Poll().
  TRIPLINE_RETURN_IF_ERROR(emit(event_));
  if (renumbered) {
    ++winevent_counters_.gaps;
    spdlog::warn(
        "source {}: channel '{}': record numbers restarted at {} after {} (log "
        "cleared); records written before the clear may be lost",
        config_.name, name, record.record_id, last->record_id);
  }
  if (cut) ++counters_.truncated;
  ledger_.Emitted(name, {record.record_id, generation, std::move(*bookmark)});
  ++counters_.records;
  counters_.bytes += xml->size();
  consumed += xml->size();
  channel.stale_in_a_row = 0;
  ++channel.records_read;
  SkipNext(channel);
  return absl::OkStatus();
}

void WineventSource::SkipNext(Channel& channel) {
  EvtClose(channel.batch[channel.next]);
  ++channel.next;
}

void WineventSource::CountReadError(const Channel& channel, const std::string& what) {
  ++counters_.read_errors;
  if (ShouldLog(counters_.read_errors)) {
    spdlog::warn("source {}: channel '{}': {}", config_.name, channel.config.name, what);
  }
}

}  // namespace tripline::agent
