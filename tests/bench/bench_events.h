#pragma once

#include <string>
#include <vector>

#include "tripline/v1/event.pb.h"

namespace tripline::bench {

// The event mix of the engine benchmark, shared by engine_bench (which runs Tripline's engine
// over it in memory) and export_bench_events (which writes it as JSON lines for other engines),
// so that every engine measured sees the same records in the same order:
//   1. every record of every .evtx file under `regression_dir` (recursively, in directory
//      iteration order), read through the agent's EvtxSource exactly as the agent reads it
//      (host exch01), so Sysmon 1 arrives as a ProcessStart, Security 5145 as a WindowsEvent, ...;
//   2. then as many synthetic IIS requests (HttpRequest bodies, format w3c: OWA logon and EWS,
//      GET and POST, status 200) as there were Windows events: an Exchange host writes both.
// A file the source cannot start on is skipped. Reads files only; no state kept between calls.
std::vector<v1::Event> LoadBenchEvents(const std::string& regression_dir);

}  // namespace tripline::bench
