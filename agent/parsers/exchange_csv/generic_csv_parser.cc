#include "agent/parsers/exchange_csv/generic_csv_parser.h"

#include <cctype>
#include <utility>

namespace tripline::agent {
namespace {

bool IsIdentifier(std::string_view v) {
  if (v.empty() || !std::isalpha(static_cast<unsigned char>(v.front()))) return false;
  for (char c : v) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsSeparator(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  if (line.size() < 3) return false;
  return line.find_first_not_of(line.front() == '-' ? '-' : '=') == std::string_view::npos &&
         (line.front() == '-' || line.front() == '=');
}

}  // namespace

void GenericCsvParser::Reset() {
  reader_.Reset();
  after_separator_ = false;
}

bool GenericCsvParser::IsHeaderLine(bool after_separator) const {
  int known = 0;
  for (const std::string& f : reader_.fields()) {
    if (!IsIdentifier(f)) return false;
    if (HttpColumnMap::IsKnownName(f)) ++known;
  }
  return !reader_.has_header() || after_separator || known >= 2;
}

absl::StatusOr<LineKind> GenericCsvParser::Parse(std::string_view line, v1::Event& event) {
  std::string_view data;
  TRIPLINE_ASSIGN_OR_RETURN(CsvLogReader::LineType type, reader_.Classify(line, data));
  const bool after_separator = std::exchange(after_separator_, false);
  switch (type) {
    case CsvLogReader::LineType::kBlank:
    case CsvLogReader::LineType::kDirective:
      after_separator_ = after_separator;  // a blank line keeps the separator's effect
      return LineKind::kSkipped;
    case CsvLogReader::LineType::kFields:
      columns_.SetLayout(reader_.header());
      return LineKind::kSkipped;
    case CsvLogReader::LineType::kData:
      break;
  }
  if (IsSeparator(data)) {
    after_separator_ = true;
    return absl::InvalidArgumentError("separator line '" + std::string(data.substr(0, 20)) +
                                      "', not a record");
  }
  TRIPLINE_RETURN_IF_ERROR(reader_.Split(data));
  if (IsHeaderLine(after_separator)) {
    reader_.TakeFieldsAsHeader();
    columns_.SetLayout(reader_.header());
    return LineKind::kSkipped;
  }
  if (!reader_.has_header()) {
    return absl::InvalidArgumentError("no header yet: expected a line of column names first");
  }
  TRIPLINE_RETURN_IF_ERROR(reader_.CheckFieldCount());
  TRIPLINE_RETURN_IF_ERROR(columns_.Apply(reader_.fields(), event));
  return LineKind::kRecord;
}

}  // namespace tripline::agent
