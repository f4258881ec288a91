#pragma once

#include <string>
#include <string_view>

#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// A rule's `logsource` (Sigma taxonomy). Empty parts are wildcards. A plain value type.
struct Logsource {
  std::string product;
  std::string category;
  std::string service;

  // "category=webserver product=windows", for messages.
  std::string ToString() const;
};

// The logsource an event belongs to, derived from its body and source.format. The views point
// at static strings or into the event. A plain value type, computed once per event.
struct EventLogsource {
  std::string_view product;
  std::string_view category;
  std::string_view service;
};

// http -> category webserver (product windows for IIS and Exchange formats); process ->
// process_creation; file -> file_event (file_delete, file_rename by action); network ->
// network_connection; service -> service system; cmdlet -> service msexchange-management;
// windows -> service from the channel (Security -> security, Microsoft-Windows-Sysmon/Operational
// -> sysmon, ...; RPCFW -> product rpc_firewall, category application). Then every part the
// source declared (event.source.logsource, e.g. product aws + service cloudtrail for a CloudTrail
// JSON file) replaces the derived one.
EventLogsource DeriveLogsource(const v1::Event& event);

// A rule sees an event when every part the rule names equals the event's (case-insensitive);
// a product the event does not know (host.os.type empty) does not exclude it.
bool LogsourceMatches(const Logsource& rule, const EventLogsource& event);
// A rule's category against an event's (case-insensitive; `registry_event` covers registry_*,
// `file_event` covers file_rename).
bool CategoryMatches(std::string_view rule, std::string_view event);

}  // namespace tripline::correlator::engine
