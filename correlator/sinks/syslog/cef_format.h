#pragma once

#include <string>
#include <string_view>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// ArcSight CEF rendering of an alert (the MSG of a syslog message):
//   CEF:0|Tripline|Tripline Correlator|<version>|<rule id>|<rule title>|<0-10>|<extension>
// Extension keys, each present only when known (see alert_fields.h for where they come from):
//   rt start end (epoch ms: window end, start, end), cnt (contributing events), dhost dst shost
//   src spt dpt proto suser duser sproc spid dproc dpid fname filePath fileHash request
//   requestMethod requestClientApplication act cat (rule kind) msg externalId (alert id),
//   cs1 alertId, cs2 mitreTechniques, cs3 mitreTactics, cs4 ruleset, cs5 groupKey (+ labels).
std::string RenderCef(const v1::Alert& alert, std::string_view version);

// Header fields: `\` -> `\\`, `|` -> `\|`; CR, LF and other control characters -> space.
std::string CefHeaderEscape(std::string_view value);
// Extension values: `\` -> `\\`, `=` -> `\=`, CR -> `\r`, LF -> `\n`; other control characters
// -> space. `|` and spaces stay as they are. UTF-8 passes through.
std::string CefExtensionEscape(std::string_view value);
// informational 1, low 3, medium 5, high 8, critical 10, unset 0.
int CefSeverity(v1::Severity severity);

}  // namespace tripline::correlator
