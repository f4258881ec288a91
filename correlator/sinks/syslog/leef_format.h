#pragma once

#include <string>
#include <string_view>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// The LEEF 2.0 attribute delimiter. `^` rarely occurs in paths, URLs or command lines (a tab,
// the LEEF 1.0 choice, is escaped by syslog receivers such as rsyslog as `#011`).
inline constexpr char kLeefDelimiter = '^';

// QRadar LEEF 2.0 rendering of an alert (the MSG of a syslog message):
//   LEEF:2.0|Tripline|Tripline Correlator|<version>|<rule id>|^|<key=value>^<key=value>...
// Predefined keys: devTime + devTimeFormat (window end), cat (rule kind), sev (1-10), src, dst,
// srcPort, dstPort, proto, usrName, resource (the alert's host), url (path?query). Custom keys:
// alertId, ruleName, ruleset, groupKey, eventCount, mitreTechniques, mitreTactics, msg,
// srcHostName, targetUser, srcProcessName, srcProcessId (parent, writer or connecting process),
// dstProcessName, dstProcessId (the started process), fileName,
// filePath, fileHash, requestMethod, userAgent, action. Unknown values are left out.
std::string RenderLeef(const v1::Alert& alert, std::string_view version);

// LEEF has no escape sequences: the delimiter becomes '_', CR, LF, tab and other control
// characters become a space; `=` needs nothing (a key ends at the first `=`). UTF-8 passes.
std::string LeefValue(std::string_view value);
// Header fields additionally turn `|` into '_'.
std::string LeefHeaderValue(std::string_view value);
// informational and unset 1, low 3, medium 5, high 8, critical 10.
int LeefSeverity(v1::Severity severity);

}  // namespace tripline::correlator
