#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/sources/source.h"

namespace tripline::correlator::cli {

// One input of an offline run: an .evtx file (read by EvtxSource) or a text log (FileSource).
struct InputFile {
  std::string path;
  bool evtx = false;
  uint64_t size = 0;
};

// Expands command-line paths: files as given, folders walked recursively (sorted, so runs are
// repeatable). A path that does not exist is an error naming it; nothing is read yet.
absl::Status CollectInputs(const std::vector<std::string>& paths, std::vector<InputFile>* out);

// Called with the bytes of input consumed since the previous call, for progress reporting.
using ProgressFn = std::function<void(uint64_t bytes)>;

// Reads every record of one .evtx file through agent::EvtxSource (libevtx, the Windows
// normalizer), exactly as the agent would ship it, and calls `emit` for each. The offline
// readers below run on the caller's thread, hold no state between calls, and end when the
// source has nothing more to give. `progress` may be empty.
absl::Status ReadEvtxFile(const std::string& path, const agent::EmitFn& emit,
                          const ProgressFn& progress = {});

// Reads one text log through agent::FileSource with the parser `format` (DetectFileFormat()
// when empty) and calls `emit` for each record, which carries `logsource` (empty: none declared)
// as a file source configured with it would. Agent identity: agent_id "hunt".
absl::Status ReadLogFile(const std::string& path, const std::string& format,
                         const v1::DeclaredLogsource& logsource, const agent::EmitFn& emit,
                         const ProgressFn& progress = {});

}  // namespace tripline::correlator::cli
