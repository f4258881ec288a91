#include "agent/parsers/exchange_csv/csv_log_reader.h"

#include "agent/parsers/csv/value_parsing.h"

namespace tripline::agent {
namespace {

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool StartsWith(std::string_view v, std::string_view prefix) {
  return v.substr(0, prefix.size()) == prefix;
}

}  // namespace

absl::StatusOr<CsvLogReader::LineType> CsvLogReader::Classify(std::string_view line,
                                                              std::string_view& data) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  line = StripBom(line);
  data = line;
  if (Trim(line).empty()) return LineType::kBlank;
  if (line.front() != '#') return LineType::kData;
  constexpr std::string_view kFields = "#Fields:";
  constexpr std::string_view kLogType = "#Log-type:";
  if (StartsWith(line, kFields)) {
    TRIPLINE_RETURN_IF_ERROR(SetFieldsDirective(line.substr(kFields.size())));
    return LineType::kFields;
  }
  if (StartsWith(line, kLogType)) log_type_ = std::string(Trim(line.substr(kLogType.size())));
  return LineType::kDirective;  // #Software, #Version, #Date, #TYPE and other comments
}

absl::Status CsvLogReader::SetFieldsDirective(std::string_view value) {
  TRIPLINE_RETURN_IF_ERROR(splitter_.Split(Trim(value)));
  std::vector<std::string> names;
  for (const std::string& f : splitter_.fields()) {
    std::string_view name = Trim(f);
    if (!name.empty()) names.emplace_back(name);
  }
  if (names.empty()) return absl::InvalidArgumentError("#Fields: directive lists no fields");
  header_ = std::move(names);
  fields_directive_seen_ = true;
  return absl::OkStatus();
}

void CsvLogReader::TakeFieldsAsHeader() {
  header_.clear();
  for (const std::string& f : splitter_.fields()) header_.emplace_back(Trim(f));
}

absl::Status CsvLogReader::CheckFieldCount() const {
  if (splitter_.size() == header_.size()) return absl::OkStatus();
  return absl::InvalidArgumentError("expected " + std::to_string(header_.size()) +
                                    " fields as the header says, got " +
                                    std::to_string(splitter_.size()));
}

void CsvLogReader::Reset() {
  header_.clear();
  log_type_.clear();
  fields_directive_seen_ = false;
}

}  // namespace tripline::agent
