#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/normalize/windows/windows_event_normalizer.h"
#include "agent/normalize/windows/windows_event_record.h"
#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// Turns one event of a subscribed channel, as EvtRender(EvtRenderEventXml) renders it
// (`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>...`, single-quoted
// attributes, optionally a <RenderingInfo>), into an Event: the XML is read by EvtxXmlReader and
// the body made by WindowsEventNormalizer, exactly as for EVTX files, so that a Sysmon 1 read
// live and the same record read from an exported .evtx give the same body.
//
// Envelope: source.kind WINEVENT, source.path = the subscribed channel (a ForwardedEvents
// subscription keeps each record's own channel in the body), file_id = FileId(channel,
// generation), position = EventRecordID, format `evtx` (the record is event XML, read by the
// EVTX reader; the correlator takes such records as product windows), `original` = the XML cut
// at 16 KiB (original_xml.h). EvtxSource's labels (evtx.recovered, evtx.event_record_id) have no
// counterpart here: a live record is never recovered and its position is its EventRecordID.
// event_time is the record's TimeCreated, else the time it was read.
//
// Lifecycle: one per source, owned by it. Thread: the owner's only. No I/O.
class WineventRecordMapper {
 public:
  WineventRecordMapper(std::string source_name, std::string agent_id, v1::Host host);

  // Reads `xml` into `record`; an error when it is not an event (the caller counts a read error
  // and skips it).
  [[nodiscard]] static absl::Status Read(std::string_view xml, WindowsEventRecord& record);

  // Sets `event` (cleared first) from `record` and its `xml`, read from `channel` in the given
  // generation (BookmarkLedger::GenerationOf). Returns whether `original` was cut.
  bool Fill(const WindowsEventRecord& record, std::string_view xml, const std::string& channel,
            uint64_t generation, v1::Event& event);

  // The identity of one numbering of a channel's log (see WineventMark::generation).
  static std::string FileId(std::string_view channel, uint64_t generation);

  const WindowsEventNormalizer::Counters& normalizer_counters() const {
    return normalizer_.counters();
  }

 private:
  std::string source_name_;
  std::string agent_id_;
  v1::Host host_;
  WindowsEventNormalizer normalizer_;
};

}  // namespace tripline::agent
