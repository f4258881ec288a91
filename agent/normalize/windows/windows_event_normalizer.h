#pragma once

#include <cstdint>

#include "agent/normalize/windows/windows_event_record.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// Turns a WindowsEventRecord into the typed body of a v1::Event and sets its event_time:
//   Sysmon 1 -> ProcessStart, 3 -> NetworkConnection, 11 -> FileChange CREATED,
//          23/26 -> FileChange DELETED; 7, 10, 13 and the rest -> WindowsEvent with all data;
//   Security 4688 -> ProcessStart, 4697 -> ServiceChange INSTALLED;
//   System 7045 (Service Control Manager) -> ServiceChange INSTALLED;
//   MSExchange CmdletLogs 1/6 -> ExchangeCmdlet (message text or positional data);
//   anything else (Security 5140/5145, UM errors, ...) -> WindowsEvent.
// A WindowsEvent keeps every data value; a typed body keeps the fields it has a place for and
// drops the others (e.g. Sysmon's LogonGuid, TerminalSessionId, FileVersion): the `original`
// XML or JSON of the envelope still holds them. Every value is cut at 32 KiB and the cut counted.
// When the record has no rendered message and only positional data (classic providers such as
// MSExchange Unified Messaging in EVTX), the message is those values joined by newlines, so that
// message rules (System.InvalidCastException) still see the text.
//
// Lifecycle: one per source or parser, owned by it. Thread: the owner's only. Never fails: what
// it cannot map becomes a WindowsEvent.
class WindowsEventNormalizer {
 public:
  struct Counters {
    uint64_t records = 0;
    uint64_t truncated_values = 0;  // values cut at FieldReader::kMaxValueBytes
  };

  // Sets the body and event_time of `event` (the envelope is the caller's). A record without a
  // time leaves event_time unset.
  void Normalize(const WindowsEventRecord& record, v1::Event& event);

  const Counters& counters() const { return counters_; }

 private:
  bool MapTyped(const WindowsEventRecord& record, v1::Event& event);
  void MapWindowsEvent(const WindowsEventRecord& record, v1::WindowsEvent& out);

  Counters counters_;
};

}  // namespace tripline::agent
