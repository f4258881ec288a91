#include "agent/parsers/exchange_csv/ecp_server_parser.h"

#include "agent/parsers/csv/value_parsing.h"

namespace tripline::agent {
namespace {

const std::vector<std::string>& DefaultFields() {
  static const std::vector<std::string> kFields = {"TimeStamp", "ServerName", "EventId",
                                                   "EventData"};
  return kFields;
}

bool StartsWithPair(std::string_view v) {
  while (!v.empty() && (v.front() == '\'' || v.front() == '"')) v.remove_prefix(1);
  return v.substr(0, 2) == "S:";
}

void UndoDoubledQuotes(std::string& v) {
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i, ++out) {
    v[out] = v[i];
    if (v[i] == '"' && i + 1 < v.size() && v[i + 1] == '"') ++i;
  }
  v.resize(out);
}

const EcpPair* Find(const std::vector<EcpPair>& pairs, std::string_view key) {
  for (const EcpPair& p : pairs) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace

void EcpServerParser::Reset() {
  reader_.Reset();
  SetLayout();
}

void EcpServerParser::SetLayout() {
  const std::vector<std::string>& names =
      reader_.has_header() ? reader_.header() : DefaultFields();
  time_index_ = 0;
  data_index_ = names.size() - 1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (EqualsIgnoreCase(names[i], "TimeStamp")) time_index_ = i;
    if (EqualsIgnoreCase(names[i], "EventData")) data_index_ = i;
  }
}

absl::Status EcpServerParser::SplitRecord(std::string_view data, v1::Event& event) {
  columns_.clear();
  const size_t comma = data.find(',');
  if (!reader_.fields_directive_seen() && comma != std::string_view::npos &&
      StartsWithPair(data.substr(comma + 1))) {  // abridged: TimeStamp,EventData
    event_data_.assign(data.substr(comma + 1));
    UndoDoubledQuotes(event_data_);
    return ParseRfc3339("TimeStamp", data.substr(0, comma), *event.mutable_event_time());
  }
  const std::vector<std::string>& names =
      reader_.has_header() ? reader_.header() : DefaultFields();
  const bool data_last = data_index_ + 1 == names.size();
  TRIPLINE_RETURN_IF_ERROR(reader_.Split(data, data_last ? names.size() : 0));
  auto fields = reader_.fields();
  if (fields.size() > time_index_) {  // a bad time says more than a bad count
    TRIPLINE_RETURN_IF_ERROR(
        ParseRfc3339(names[time_index_], fields[time_index_], *event.mutable_event_time()));
  }
  if (fields.size() != names.size()) {
    return absl::InvalidArgumentError("expected " + std::to_string(names.size()) +
                                      " fields as the header says, got " +
                                      std::to_string(fields.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i == data_index_) {
      event_data_ = fields[i];
    } else if (i != time_index_ && !fields[i].empty()) {
      columns_.emplace_back(names[i], fields[i]);
    }
  }
  if (!reader_.field_quoted(data_index_)) UndoDoubledQuotes(event_data_);
  return absl::OkStatus();
}

absl::StatusOr<LineKind> EcpServerParser::Parse(std::string_view line, v1::Event& event) {
  std::string_view data;
  TRIPLINE_ASSIGN_OR_RETURN(CsvLogReader::LineType type, reader_.Classify(line, data));
  if (type == CsvLogReader::LineType::kFields) SetLayout();
  if (type != CsvLogReader::LineType::kData) return LineKind::kSkipped;
  TRIPLINE_RETURN_IF_ERROR(SplitRecord(data, event));
  TRIPLINE_RETURN_IF_ERROR(ParseEcpEventData(event_data_, pairs_));
  if (const EcpPair* cmd = Find(pairs_, "CMD")) {
    TRIPLINE_RETURN_IF_ERROR(ParseEcpCommand(cmd->value, *event.mutable_cmdlet()));
    FillCmdlet(*cmd, event);
  } else {
    FillAppLog(event);
  }
  return LineKind::kRecord;
}

void EcpServerParser::FillCmdlet(const EcpPair& cmd, v1::Event& event) const {
  v1::ExchangeCmdlet* cmdlet = event.mutable_cmdlet();
  cmdlet->set_origin("ecp");
  cmdlet->set_command_line(cmd.value);
  const EcpPair* user = Find(pairs_, "SID");
  if (user == nullptr || user->value.empty()) user = Find(pairs_, "USID");
  if (user != nullptr) cmdlet->set_user_name(user->value);
  const EcpPair* ex = Find(pairs_, "EX");
  cmdlet->set_error(ex != nullptr ? ex->value : std::string());
  cmdlet->set_succeeded(cmdlet->error().empty());
}

void EcpServerParser::FillAppLog(v1::Event& event) const {
  v1::AppLog* app = event.mutable_app();
  auto& fields = *app->mutable_fields();
  for (const auto& [name, value] : columns_) {
    fields[name] = value;
    if (EqualsIgnoreCase(name, "EventId")) app->set_message(value);
  }
  for (const EcpPair& p : pairs_) fields[p.key] = p.value;
}

}  // namespace tripline::agent
