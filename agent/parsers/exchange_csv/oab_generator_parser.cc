#include "agent/parsers/exchange_csv/oab_generator_parser.h"

#include <cstdint>

#include "agent/parsers/csv/value_parsing.h"

namespace tripline::agent {
namespace {

bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> candidates) {
  for (std::string_view c : candidates) {
    if (EqualsIgnoreCase(name, c)) return true;
  }
  return false;
}

}  // namespace

std::string_view OabGeneratorParser::TemporaryFile(std::string_view message) {
  constexpr std::string_view kStart = "Download failed and temporary file ";
  constexpr std::string_view kEnd = " needs to be removed";
  size_t start = message.find(kStart);
  if (start == std::string_view::npos) return {};
  start += kStart.size();
  size_t end = message.find(kEnd, start);
  if (end == std::string_view::npos) return {};
  std::string_view path = message.substr(start, end - start);
  if (path.size() >= 2 && (path.front() == '\'' || path.front() == '"') &&
      path.back() == path.front()) {
    path = path.substr(1, path.size() - 2);
  }
  return path;
}

void OabGeneratorParser::Reset() {
  reader_.Reset();
  SetLayout();
}

void OabGeneratorParser::SetLayout() {
  const std::vector<std::string>& names = reader_.header();
  message_index_ = names.empty() ? 0 : names.size() - 1;
  time_index_ = SIZE_MAX;
  for (size_t i = 0; i < names.size(); ++i) {
    if (IsOneOf(names[i], {"Message", "EventData", "Data", "Text"})) message_index_ = i;
    if (IsOneOf(names[i], {"DateTime", "TimeStamp", "Date-Time", "Time"})) time_index_ = i;
  }
  for (size_t i = 0; i < names.size(); ++i) {  // Message wins over the other names
    if (EqualsIgnoreCase(names[i], "Message")) message_index_ = i;
  }
}

absl::Status OabGeneratorParser::ParseColumns(std::string_view data, v1::Event& event) {
  const std::vector<std::string>& names = reader_.header();
  const bool message_last = message_index_ + 1 == names.size();
  TRIPLINE_RETURN_IF_ERROR(reader_.Split(data, message_last ? names.size() : 0));
  TRIPLINE_RETURN_IF_ERROR(reader_.CheckFieldCount());
  auto values = reader_.fields();
  v1::AppLog* app = event.mutable_app();
  for (size_t i = 0; i < values.size(); ++i) {
    if (i == message_index_) {
      app->set_message(values[i]);
    } else if (i == time_index_ && !values[i].empty()) {
      TRIPLINE_RETURN_IF_ERROR(ParseRfc3339(names[i], values[i], *event.mutable_event_time()));
    } else if (!values[i].empty()) {
      (*app->mutable_fields())[names[i]] = values[i];
    }
  }
  return absl::OkStatus();
}

absl::Status OabGeneratorParser::ParseHeaderless(std::string_view data, v1::Event& event) {
  v1::AppLog* app = event.mutable_app();
  size_t comma = data.find(',');
  google::protobuf::Timestamp time;
  if (comma != std::string_view::npos && ParseRfc3339("time", data.substr(0, comma), time).ok()) {
    *event.mutable_event_time() = time;
    data.remove_prefix(comma + 1);
  }
  app->set_message(std::string(data));
  return absl::OkStatus();
}

absl::StatusOr<LineKind> OabGeneratorParser::Parse(std::string_view line, v1::Event& event) {
  std::string_view data;
  TRIPLINE_ASSIGN_OR_RETURN(CsvLogReader::LineType type, reader_.Classify(line, data));
  if (type == CsvLogReader::LineType::kFields) SetLayout();
  if (type != CsvLogReader::LineType::kData) return LineKind::kSkipped;
  if (reader_.has_header()) {
    TRIPLINE_RETURN_IF_ERROR(ParseColumns(data, event));
  } else {
    TRIPLINE_RETURN_IF_ERROR(ParseHeaderless(data, event));
  }
  std::string_view path = TemporaryFile(event.app().message());
  if (!path.empty()) (*event.mutable_app()->mutable_fields())["oab.temporary_file"] = path;
  return LineKind::kRecord;
}

}  // namespace tripline::agent
