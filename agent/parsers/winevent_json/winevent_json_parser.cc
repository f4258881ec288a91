#include "agent/parsers/winevent_json/winevent_json_parser.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "agent/normalize/windows/field_reader.h"
#include "agent/normalize/windows/windows_time.h"

namespace tripline::agent {
namespace {

using Json = nlohmann::json;

// Keys NXLog im_msvistalog adds from the System part or from its own pipeline: never event data.
constexpr std::array<std::string_view, 32> kNxlogEnvelope = {
    "EventTime",        "EventReceivedTime", "Hostname",       "Keywords",    "EventType",
    "SeverityValue",    "Severity",          "EventID",        "SourceName",  "ProviderName",
    "ProviderGuid",     "Version",           "Task",           "OpcodeValue", "Opcode",
    "RecordNumber",     "ActivityID",        "RelatedActivityID", "ProcessID", "ThreadID",
    "Channel",          "Domain",            "AccountName",    "UserID",      "AccountType",
    "Category",         "Message",           "SourceModuleName", "SourceModuleType", "Level",
    "EventData",        "UserData"};

// Rejects nesting deeper than the limit before the JSON library builds anything.
absl::Status CheckDepth(std::string_view line) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > WinEventJsonParser::kMaxDepth) {
        return absl::InvalidArgumentError("JSON nested deeper than " +
                                          std::to_string(WinEventJsonParser::kMaxDepth) +
                                          " levels at byte " + std::to_string(i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return absl::OkStatus();
}

// Only called for a line that failed to parse: recovers the library's message (with position).
struct ErrorCatcher : nlohmann::json_sax<Json> {
  std::string message = "invalid JSON";
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    message = std::string("invalid JSON: ") + ex.what();
    return false;
  }
};

// `root[a][b]` for "a.b", or the literal dotted key (flattened exports write "winlog.channel").
const Json* Lookup(const Json& root, std::string_view path) {
  if (auto it = root.find(std::string(path)); it != root.end()) return &*it;
  const Json* cur = &root;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t dot = path.find('.', pos);
    if (dot == std::string_view::npos) dot = path.size();
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(path.substr(pos, dot - pos)));
    if (it == cur->end()) return nullptr;
    cur = &*it;
    pos = dot + 1;
  }
  return cur;
}

std::string Text(const Json* v) {
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return v->get_ref<const std::string&>();
  return v->dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool Number(const Json* v, uint64_t& out) {
  if (v == nullptr) return false;
  if (v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0)) {
    out = v->get<uint64_t>();
    return true;
  }
  return v->is_string() && ParseNumber(v->get_ref<const std::string&>(), out);
}

// Objects inside event data (Winlogbeat user_data) are flattened to their leaves; a leaf name
// that is already taken gets its dotted path.
void Flatten(const Json& object, const std::string& prefix, WindowsEventRecord& record) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it->is_object()) {
      Flatten(*it, prefix + it.key() + ".", record);
      continue;
    }
    if (!record.data.emplace(it.key(), Text(&*it)).second) {
      record.data[prefix + it.key()] = Text(&*it);
    }
  }
}

uint32_t LevelFromWord(std::string word) {
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (word == "critical") return 1;
  if (word == "error") return 2;
  if (word == "warning") return 3;
  if (word == "information" || word == "info") return 4;
  if (word == "verbose" || word == "debug") return 5;
  return 0;
}

absl::Status SetTime(const Json* v, std::string_view key, WindowsEventRecord& record) {
  std::string text = Text(v);
  if (text.empty()) return absl::OkStatus();
  if (!ParseWindowsTime(text, record.time_micros)) {
    return absl::InvalidArgumentError(std::string(key) + ": expected an ISO 8601 time, got '" +
                                      text.substr(0, 64) + "'");
  }
  record.has_time = true;
  return absl::OkStatus();
}

absl::Status FromWinlogbeat(const Json& root, WindowsEventRecord& r) {
  uint64_t n = 0;
  if (!Number(Lookup(root, "winlog.event_id"), n) && !Number(Lookup(root, "event.code"), n)) {
    return absl::InvalidArgumentError("missing event id (winlog.event_id or event.code)");
  }
  r.event_id = static_cast<uint32_t>(n);
  r.channel = Text(Lookup(root, "winlog.channel"));
  r.provider = Text(Lookup(root, "winlog.provider_name"));
  r.computer = Text(Lookup(root, "winlog.computer_name"));
  if (r.computer.empty()) r.computer = Text(Lookup(root, "host.name"));
  if (Number(Lookup(root, "winlog.record_id"), n)) r.record_id = n;
  r.user_sid = Text(Lookup(root, "winlog.user.identifier"));
  r.level = LevelFromWord(Text(Lookup(root, "log.level")));
  r.message = Text(Lookup(root, "message"));
  for (const char* part : {"winlog.event_data", "winlog.user_data"}) {
    if (const Json* data = Lookup(root, part); data != nullptr && data->is_object()) {
      Flatten(*data, "", r);
    }
  }
  return SetTime(Lookup(root, "@timestamp"), "@timestamp", r);
}

absl::Status FromNxlog(const Json& root, WindowsEventRecord& r) {
  uint64_t n = 0;
  if (!Number(Lookup(root, "EventID"), n)) {
    return absl::InvalidArgumentError("missing event id (EventID)");
  }
  r.event_id = static_cast<uint32_t>(n);
  r.channel = Text(Lookup(root, "Channel"));
  r.provider = Text(Lookup(root, "ProviderName"));
  if (r.provider.empty()) r.provider = Text(Lookup(root, "SourceName"));
  r.computer = Text(Lookup(root, "Hostname"));
  if (Number(Lookup(root, "RecordNumber"), n)) r.record_id = n;
  r.user_sid = Text(Lookup(root, "UserID"));
  if (Number(Lookup(root, "Level"), n)) {
    r.level = static_cast<uint32_t>(n);
  } else if (Number(Lookup(root, "SeverityValue"), n) && n >= 1 && n <= 5) {
    r.level = static_cast<uint32_t>(6 - n);  // NXLog 5 CRITICAL .. 1 DEBUG
  } else {
    r.level = LevelFromWord(Text(Lookup(root, "Severity")));
  }
  r.message = Text(Lookup(root, "Message"));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string& key = it.key();
    if (std::find(kNxlogEnvelope.begin(), kNxlogEnvelope.end(), key) != kNxlogEnvelope.end()) {
      continue;
    }
    if (it->is_object()) {
      Flatten(*it, key + ".", r);
    } else {
      r.data.emplace(key, Text(&*it));
    }
  }
  for (const char* part : {"EventData", "UserData"}) {
    if (const Json* data = Lookup(root, part); data != nullptr && data->is_object()) {
      Flatten(*data, "", r);
    }
  }
  return SetTime(Lookup(root, "EventTime"), "EventTime", r);
}

}  // namespace

absl::StatusOr<WindowsEventRecord> WinEventJsonParser::ToRecord(std::string_view line) {
  TRIPLINE_RETURN_IF_ERROR(CheckDepth(line));
  Json root = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    ErrorCatcher catcher;
    Json::sax_parse(line, &catcher);
    return absl::InvalidArgumentError(catcher.message);
  }
  if (!root.is_object()) return absl::InvalidArgumentError("expected a JSON object per line");
  WindowsEventRecord record;
  bool winlogbeat = root.contains("winlog") || root.contains("winlog.event_id") ||
                    root.contains("winlog.channel");
  TRIPLINE_RETURN_IF_ERROR(winlogbeat ? FromWinlogbeat(root, record) : FromNxlog(root, record));
  return record;
}

absl::StatusOr<LineKind> WinEventJsonParser::Parse(std::string_view line, v1::Event& event) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return LineKind::kSkipped;
  TRIPLINE_ASSIGN_OR_RETURN(WindowsEventRecord record, ToRecord(line));
  normalizer_.Normalize(record, event);
  return LineKind::kRecord;
}

}  // namespace tripline::agent
