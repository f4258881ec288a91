#include "correlator/cli/event_reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "agent/parsers/parser.h"
#include "agent/sources/evtx/evtx_source.h"
#include "agent/sources/file/file_source.h"
#include "correlator/cli/format_detector.h"

namespace tripline::correlator::cli {
namespace fs = std::filesystem;
namespace {

constexpr size_t kPollBudget = 1 << 20;
const char kAgentId[] = "hunt";

bool IsEvtx(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".evtx";
}

InputFile MakeInput(const fs::path& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  return InputFile{path.string(), IsEvtx(path), ec ? 0 : size};
}

// Polls `source` until a poll consumes nothing: offline input is complete when read.
absl::Status Drain(agent::Source& source, const agent::EmitFn& emit, const ProgressFn& progress) {
  absl::Status started = source.Start("");
  if (!started.ok()) return started;
  uint64_t records = 0;
  const agent::EmitFn counted = [&](const v1::Event& event) {
    ++records;
    return emit(event);
  };
  while (true) {
    absl::StatusOr<size_t> n = source.Poll(kPollBudget, counted);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::OkStatus();
    // Offline, a record is done once evaluated: let the source forget the positions it keeps
    // for delivery reports, or they pile up for the whole file.
    (void)source.DurableState(records);
    if (progress) progress(*n);
  }
}

// FileSource takes glob patterns: a file name holding * ? [ or \ must match only itself.
std::string GlobEscape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string StrError(const std::string& path, const std::string& what) {
  return path + ": " + what;
}

}  // namespace

absl::Status CollectInputs(const std::vector<std::string>& paths, std::vector<InputFile>* out) {
  for (const std::string& p : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) return absl::NotFoundError(StrError(p, "no such file or folder"));
    if (!fs::is_directory(st)) {
      out->push_back(MakeInput(p));
      continue;
    }
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) found.push_back(it->path());
    }
    if (ec) return absl::UnavailableError(StrError(p, "cannot list: " + ec.message()));
    std::sort(found.begin(), found.end());
    for (const fs::path& f : found) out->push_back(MakeInput(f));
  }
  return absl::OkStatus();
}

absl::Status ReadEvtxFile(const std::string& path, const agent::EmitFn& emit,
                          const ProgressFn& progress) {
  agent::EvtxSourceConfig config;
  config.name = "hunt-evtx";
  config.path = path;
  agent::EvtxSource source(config, kAgentId, v1::Host());
  absl::Status status = Drain(source, emit, {});
  // EVTX polls count rendered XML, not file bytes: report the file once it is done.
  if (progress) {
    std::error_code ec;
    uint64_t size = fs::file_size(path, ec);
    progress(ec ? 0 : size);
  }
  return status;
}

absl::Status ReadLogFile(const std::string& path, const std::string& format,
                         const v1::DeclaredLogsource& logsource, const agent::EmitFn& emit,
                         const ProgressFn& progress) {
  agent::FileSourceConfig config;
  config.name = "hunt-file";
  config.paths = {GlobEscape(path)};
  config.format = format.empty() ? DetectFileFormat(path) : format;
  config.logsource = logsource;
  if (agent::MakeParser(config.format) == nullptr) {
    return absl::InvalidArgumentError("unknown format '" + config.format + "'");
  }
  agent::AgentIdentity identity{kAgentId, v1::Host()};
  agent::FileSource source(config, &identity);
  return Drain(source, emit, progress);
}

}  // namespace tripline::correlator::cli
