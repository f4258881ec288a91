#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/rule_set.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::cli {

struct HuntOptions {
  std::vector<std::string> paths;  // files or folders (recursive)
  std::string format;              // parser for non-EVTX files; empty: detect per file
  bool json = false;               // one JSON object per alert on `out` instead of a summary
  bool progress = false;           // draw a progress bar on `err` (the caller checks for a tty)
  v1::DeclaredLogsource logsource;  // declared for the text logs (--logsource); empty: derived
};

// `--logsource product=aws,service=cloudtrail`: comma-separated key=value pairs, keys product,
// category and service, values lower-cased. InvalidArgument naming the bad part otherwise.
absl::StatusOr<v1::DeclaredLogsource> ParseLogsourceFlag(std::string_view text);

// `tripline hunt`: runs the rule set over every record of the inputs, offline, on the caller's
// thread (.evtx through EvtxSource, other files through FileSource, as the agent reads them; a
// declared logsource applies to the text logs, EVTX records keep the one of their channel).
// Writes alerts or the summary to `out`, warnings and progress to `err`. Returns the exit code:
// 0 even with alerts; 2 when an input path does not exist.
int RunHunt(const HuntOptions& options, std::shared_ptr<const engine::RuleSet> rules,
            std::ostream& out, std::ostream& err);

// The alert as --json prints it: rule id, title, severity, host, event time, and the
// contributing event's original line and key (body) fields.
nlohmann::json AlertToJson(const v1::Alert& alert);

// The host an alert is about, for the summary: host.name, else the Windows computer or the web
// server name of its event, else "-".
std::string AlertHost(const v1::Alert& alert);

}  // namespace tripline::correlator::cli
