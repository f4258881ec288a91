#include "correlator/cli/event_reader.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <queue>
#include <filesystem>
#include <system_error>

#include "agent/parsers/parser.h"
#include "common/status.h"
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

namespace {

const agent::AgentIdentity& HuntIdentity() {
  static const agent::AgentIdentity identity{kAgentId, v1::Host()};
  return identity;
}

absl::StatusOr<std::unique_ptr<agent::Source>> OpenLogFile(const std::string& path,
                                                           const std::string& format,
                                                           const v1::DeclaredLogsource& logsource) {
  agent::FileSourceConfig config;
  config.name = "hunt-file";
  config.paths = {GlobEscape(path)};
  config.format = format.empty() ? DetectFileFormat(path) : format;
  config.logsource = logsource;
  if (agent::MakeParser(config.format) == nullptr) {
    return absl::InvalidArgumentError("unknown format '" + config.format + "'");
  }
  return std::make_unique<agent::FileSource>(config, &HuntIdentity());
}

std::unique_ptr<agent::Source> OpenEvtxFile(const std::string& path) {
  agent::EvtxSourceConfig config;
  config.name = "hunt-evtx";
  config.path = path;
  return std::make_unique<agent::EvtxSource>(config, kAgentId, v1::Host());
}

int64_t TimeOf(const v1::Event& e) {
  return e.event_time().seconds() * 1'000'000'000LL + e.event_time().nanos();
}

// One input of a merge: its source and the records read ahead of the merge.
struct MergeInput {
  const InputFile* file = nullptr;
  std::unique_ptr<agent::Source> source;
  std::deque<v1::Event> ahead;
  uint64_t records = 0;
  bool done = false;
};

constexpr size_t kMergeBudget = 256 * 1024;

// Reads the next piece of `in` (if it has nothing ahead); false when the input is finished.
bool Refill(MergeInput& in, const ProgressFn& progress,
            const std::function<void(const InputFile&, const absl::Status&)>& on_error) {
  while (in.ahead.empty() && !in.done) {
    absl::StatusOr<size_t> n = in.source->Poll(kMergeBudget, [&](const v1::Event& e) {
      in.ahead.push_back(e);
      ++in.records;
      return absl::OkStatus();
    });
    if (!n.ok()) on_error(*in.file, n.status());
    if (!n.ok() || *n == 0) {
      in.done = true;
      if (progress && in.file->evtx) progress(in.file->size);
      break;
    }
    (void)in.source->DurableState(in.records);  // offline: read is done
    if (progress && !in.file->evtx) progress(*n);
  }
  return !in.ahead.empty();
}

}  // namespace

absl::Status ReadEvtxFile(const std::string& path, const agent::EmitFn& emit,
                          const ProgressFn& progress) {
  std::unique_ptr<agent::Source> source = OpenEvtxFile(path);
  absl::Status status = Drain(*source, emit, {});
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
  TRIPLINE_ASSIGN_OR_RETURN(std::unique_ptr<agent::Source> source,
                            OpenLogFile(path, format, logsource));
  return Drain(*source, emit, progress);
}

absl::Status ReadMerged(const std::vector<InputFile>& inputs, const std::string& format,
                        const v1::DeclaredLogsource& logsource, const agent::EmitFn& emit,
                        const ProgressFn& progress,
                        const std::function<void(const InputFile&, const absl::Status&)>& on_error) {
  if (inputs.size() == 1) {
    const InputFile& f = inputs[0];
    absl::Status s = f.evtx ? ReadEvtxFile(f.path, emit, progress)
                            : ReadLogFile(f.path, format, logsource, emit, progress);
    if (!s.ok()) on_error(f, s);
    return absl::OkStatus();
  }
  std::vector<MergeInput> merged;
  merged.reserve(inputs.size());
  for (const InputFile& f : inputs) {
    MergeInput in;
    in.file = &f;
    if (f.evtx) {
      in.source = OpenEvtxFile(f.path);
    } else {
      auto source = OpenLogFile(f.path, format, logsource);
      if (!source.ok()) {
        on_error(f, source.status());
        continue;
      }
      in.source = *std::move(source);
    }
    if (absl::Status st = in.source->Start(""); !st.ok()) {
      on_error(f, st);
      continue;
    }
    merged.push_back(std::move(in));
  }
  // A min-heap of (time of the next record, input), earliest first; ties keep input order.
  using Head = std::pair<int64_t, size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (size_t i = 0; i < merged.size(); ++i) {
    if (Refill(merged[i], progress, on_error)) heads.emplace(TimeOf(merged[i].ahead.front()), i);
  }
  while (!heads.empty()) {
    const size_t i = heads.top().second;
    heads.pop();
    MergeInput& in = merged[i];
    TRIPLINE_RETURN_IF_ERROR(emit(in.ahead.front()));
    in.ahead.pop_front();
    if (Refill(in, progress, on_error)) heads.emplace(TimeOf(in.ahead.front()), i);
  }
  return absl::OkStatus();
}

}  // namespace tripline::correlator::cli
