#pragma once

#include <string_view>

#include "agent/normalize/windows/windows_event_normalizer.h"
#include "agent/normalize/windows/windows_event_record.h"
#include "agent/parsers/parser.h"

namespace tripline::agent {

// Windows events as JSON lines, in the two layouts collectors write, detected per line:
//  * Winlogbeat / ECS (a `winlog` object, or dotted `winlog.*` keys): winlog.event_id (or
//    event.code), winlog.channel, winlog.provider_name, winlog.computer_name, winlog.record_id,
//    winlog.user.identifier, winlog.event_data.* / winlog.user_data.*, @timestamp, message,
//    log.level;
//  * NXLog im_msvistalog flat: EventID, Channel, Hostname, ProviderName or SourceName,
//    EventTime, RecordNumber, Level or SeverityValue, UserID, Message, and every EventData field
//    as a top-level key (Image, CommandLine, ...). Keys NXLog adds itself are not event data.
// The neutral record then goes through WindowsEventNormalizer (Sysmon 1 -> ProcessStart, ...).
// Errors (invalid JSON, nesting deeper than kMaxDepth, no event id, a bad time) name the problem.
//
// Lifecycle, thread: as Parser (one per file, the source's thread). Stateless between lines;
// Reset() does nothing.
class WinEventJsonParser final : public Parser {
 public:
  static constexpr int kMaxDepth = 64;

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override {}

  // The neutral record of one line, without normalizing it (for tests and other inputs).
  [[nodiscard]] static absl::StatusOr<WindowsEventRecord> ToRecord(std::string_view line);

  const WindowsEventNormalizer::Counters& normalizer_counters() const {
    return normalizer_.counters();
  }

 private:
  WindowsEventNormalizer normalizer_;
};

}  // namespace tripline::agent
