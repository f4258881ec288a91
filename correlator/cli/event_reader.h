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

// Reads several inputs at once and calls `emit` in event-time order across them: each input
// keeps its own order, and the input whose next record is the earliest goes next (a k-way merge
// over small read-ahead buffers). So a sequence whose steps sit in different logs (an HttpProxy
// row, then an ECP cmdlet, then an IIS request) is seen in the order it happened, as the
// correlator sees the live stream. A single input is read straight through. `on_error` is told
// about an input that cannot be read (the others go on); `format` and `logsource` as ReadLogFile.
absl::Status ReadMerged(const std::vector<InputFile>& inputs, const std::string& format,
                        const v1::DeclaredLogsource& logsource, const agent::EmitFn& emit,
                        const ProgressFn& progress,
                        const std::function<void(const InputFile&, const absl::Status&)>& on_error);

}  // namespace tripline::correlator::cli
