#pragma once

#include <cstddef>
#include <string_view>

#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// The `original` of an Event read from Windows event XML (EVTX files, live EvtSubscribe): the
// record's XML, cut at kMaxOriginalXmlBytes so that one event with a huge EventData cannot bloat
// the spool. Shared by EvtxSource and WineventSource so that both ship the same envelope.
inline constexpr size_t kMaxOriginalXmlBytes = 16 * 1024;

// Sets event.original to `xml`, cut at kMaxOriginalXmlBytes on a UTF-8 character boundary, and
// event.original_truncated when it was cut. Returns whether it was cut (the caller counts it).
bool SetOriginalXml(std::string_view xml, v1::Event& event);

}  // namespace tripline::agent
