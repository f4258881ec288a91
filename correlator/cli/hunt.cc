#include "correlator/cli/hunt.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <utility>

#include "correlator/cli/event_reader.h"
#include "correlator/cli/format_detector.h"
#include "correlator/engine/engine.h"

namespace tripline::correlator::cli {
namespace {

// Redraws one status line on a terminal: "[#####.....]  42% 12.0/28.6 MiB".
class ProgressBar {
 public:
  ProgressBar(std::ostream* err, uint64_t total)
      : err_(err), total_(std::max<uint64_t>(total, 1)) {}

  void Add(uint64_t bytes) {
    done_ = std::min(done_ + bytes, total_);
    int percent = static_cast<int>(done_ * 100 / total_);
    if (err_ == nullptr || percent == last_percent_) return;
    last_percent_ = percent;
    constexpr int kWidth = 30;
    std::string bar(kWidth * percent / 100, '#');
    bar.resize(kWidth, '.');
    char figures[64];
    std::snprintf(figures, sizeof(figures), "%3d%% %.1f/%.1f MiB", percent, Mib(done_),
                  Mib(total_));
    *err_ << "\r[" << bar << "] " << figures << std::flush;
  }
  void Finish() {
    if (err_ != nullptr && last_percent_ >= 0) *err_ << "\n";
  }

 private:
  static double Mib(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

  std::ostream* err_;  // nullptr: no terminal, draw nothing
  uint64_t total_;
  uint64_t done_ = 0;
  int last_percent_ = -1;
};

std::string SeverityName(v1::Severity s) {
  std::string name = v1::Severity_Name(s);
  if (name.rfind("SEVERITY_", 0) == 0) name = name.substr(9);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

// The event's typed body as JSON (proto field names), or null for an event without one.
nlohmann::json BodyJson(const v1::Event& event) {
  const auto* oneof = v1::Event::descriptor()->FindOneofByName("body");
  const auto* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
  if (field == nullptr) return nullptr;
  const auto& body = event.GetReflection()->GetMessage(event, field);
  std::string text;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(body, &text, print).ok()) return nullptr;
  return nlohmann::json{{field->name(), nlohmann::json::parse(text, nullptr, false)}};
}

void PrintSummary(const std::vector<v1::Alert>& alerts, uint64_t events, std::ostream& out) {
  std::map<std::pair<std::string, std::string>, int> by_rule;  // (id, title)
  std::map<std::string, int> by_host;
  for (const v1::Alert& a : alerts) {
    ++by_rule[{a.rule().id(), a.rule().title()}];
    ++by_host[AlertHost(a)];
  }
  out << events << " events read, " << alerts.size() << " alerts\n";
  if (alerts.empty()) return;
  out << "By rule:\n";
  for (const auto& [rule, n] : by_rule) {
    out << "  " << n << "  " << rule.second << " (" << rule.first << ")\n";
  }
  out << "By host:\n";
  for (const auto& [host, n] : by_host) out << "  " << n << "  " << host << "\n";
}

// Why a text input cannot be read line by line, or "" when it can.
std::string UnreadableReason(const InputFile& f, const std::string& format) {
  if (f.evtx || !(format.empty() || format == "json")) return "";
  std::string head = ReadHead(f.path);
  if (IsRecordsEnvelope(head)) {
    return "a {\"Records\": [...]} document (CloudTrail export), not one record per line: "
           "split it first (jq -c '.Records[]'); skipped";
  }
  if (format.empty() && IsJsonDocument(head)) {
    return "a JSON document, not one record per line; skipped";
  }
  return "";
}

}  // namespace

absl::StatusOr<v1::DeclaredLogsource> ParseLogsourceFlag(std::string_view text) {
  v1::DeclaredLogsource out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = std::min(text.find(',', pos), text.size());
    std::string_view pair = text.substr(pos, comma - pos);
    pos = comma + 1;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string value(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string* part = key == "product"    ? out.mutable_product()
                        : key == "category" ? out.mutable_category()
                        : key == "service"  ? out.mutable_service()
                                            : nullptr;
    if (part == nullptr || value.empty()) {
      return absl::InvalidArgumentError("--logsource: '" + std::string(pair) +
                                        "' is not product=..., category=... or service=... "
                                        "(e.g. product=aws,service=cloudtrail)");
    }
    *part = std::move(value);
  }
  return out;
}

std::string AlertHost(const v1::Alert& alert) {
  if (!alert.host().name().empty()) return alert.host().name();
  if (alert.events_size() > 0) {
    const v1::Event& e = alert.events(0);
    if (!e.host().name().empty()) return e.host().name();
    if (e.has_windows() && !e.windows().computer().empty()) return e.windows().computer();
    if (e.has_http() && !e.http().server_name().empty()) return e.http().server_name();
  }
  return "-";
}

nlohmann::json AlertToJson(const v1::Alert& alert) {
  nlohmann::json j = {{"rule_id", alert.rule().id()},
                      {"title", alert.rule().title()},
                      {"severity", SeverityName(alert.severity())},
                      {"host", AlertHost(alert)},
                      {"message", alert.message()}};
  if (alert.events_size() > 0) {
    const v1::Event& e = alert.events(0);
    j["event_time"] = e.has_event_time()
                          ? google::protobuf::util::TimeUtil::ToString(e.event_time())
                          : "";
    j["source"] = e.source().path();
    j["original"] = e.original();
    j["fields"] = BodyJson(e);
  }
  return j;
}

int RunHunt(const HuntOptions& options, std::shared_ptr<const engine::RuleSet> rules,
            std::ostream& out, std::ostream& err) {
  std::vector<InputFile> inputs;
  absl::Status listed = CollectInputs(options.paths, &inputs);
  if (!listed.ok()) {
    err << "tripline hunt: " << listed.message() << "\n";
    return 2;
  }
  uint64_t total = 0;
  for (const InputFile& f : inputs) total += f.size;
  ProgressBar bar(options.progress ? &err : nullptr, total);
  ProgressFn progress = [&bar](uint64_t n) { bar.Add(n); };

  engine::Engine engine(std::move(rules));
  std::vector<v1::Alert> alerts;
  agent::EmitFn emit = [&](const v1::Event& event) {
    size_t before = alerts.size();
    engine.Process(event, &alerts);
    for (size_t i = before; options.json && i < alerts.size(); ++i) {
      out << AlertToJson(alerts[i]).dump() << "\n";
    }
    return absl::OkStatus();
  };
  std::vector<InputFile> readable;
  for (const InputFile& f : inputs) {
    if (std::string why = UnreadableReason(f, options.format); !why.empty()) {
      err << "tripline hunt: " << f.path << ": " << why << "\n";
      bar.Add(f.size);
      continue;
    }
    readable.push_back(f);
  }
  // All inputs at once, in event-time order, so that chains across logs are seen as they ran.
  absl::Status s = ReadMerged(readable, options.format, options.logsource, emit, progress,
                              [&](const InputFile& f, const absl::Status& st) {
                                err << "tripline hunt: " << f.path << ": " << st.message() << "\n";
                              });
  if (!s.ok()) err << "tripline hunt: " << s.message() << "\n";
  bar.Finish();
  if (!options.json) PrintSummary(alerts, engine.counters().events, out);
  return 0;
}

}  // namespace tripline::correlator::cli
