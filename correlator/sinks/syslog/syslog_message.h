#pragma once

#include <string>
#include <string_view>

#include "google/protobuf/timestamp.pb.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// The RFC 5424 header fields that stay the same for every message of a sink.
struct SyslogHeader {
  int facility = 20;        // local4
  std::string hostname;     // HOSTNAME (<= 255)
  std::string app_name;     // APP-NAME (<= 48)
  std::string procid;       // PROCID (<= 128)
  std::string msgid;        // MSGID (<= 32)
};

// One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`, with no
// structured data and no BOM (CEF and LEEF consumers expect their header right after the
// syslog header). Header fields are cut to their RFC 5424 lengths, every byte outside printable
// US-ASCII becomes '_', and an empty field is the nil value '-'. PRI = facility * 8 + severity.
std::string Rfc5424Message(const SyslogHeader& header, int severity,
                           const google::protobuf::Timestamp& time, std::string_view msg);

// RFC 6587 §3.4.1 / RFC 5425 §4.3 octet-counting framing: `MSG-LEN SP SYSLOG-MSG`.
std::string OctetCountedFrame(std::string_view message);

// Syslog severity of an alert: critical 2 (crit), high 3 (err), medium 4 (warning),
// low 5 (notice), informational and unset 6 (info).
int SyslogSeverity(v1::Severity severity);

}  // namespace tripline::correlator
