#include "agent/parsers/exchange_csv/httpproxy_parser.h"

namespace tripline::agent {

bool HttpProxyParser::IsHeaderLine() const {
  if (reader_.fields_directive_seen()) return false;
  for (const std::string& f : reader_.fields()) {
    if (!HttpColumnMap::IsHttpProxyName(f)) return false;
  }
  return true;
}

absl::StatusOr<LineKind> HttpProxyParser::Parse(std::string_view line, v1::Event& event) {
  std::string_view data;
  TRIPLINE_ASSIGN_OR_RETURN(CsvLogReader::LineType type, reader_.Classify(line, data));
  switch (type) {
    case CsvLogReader::LineType::kBlank:
    case CsvLogReader::LineType::kDirective:
      return LineKind::kSkipped;
    case CsvLogReader::LineType::kFields:
      columns_.SetLayout(reader_.header());
      return LineKind::kSkipped;
    case CsvLogReader::LineType::kData:
      break;
  }
  TRIPLINE_RETURN_IF_ERROR(reader_.Split(data));
  if (IsHeaderLine()) {
    reader_.TakeFieldsAsHeader();
    columns_.SetLayout(reader_.header());
    return LineKind::kSkipped;
  }
  if (!reader_.has_header()) {
    return absl::InvalidArgumentError(
        "no header yet: expected a #Fields: directive or a line of HttpProxy column names");
  }
  TRIPLINE_RETURN_IF_ERROR(reader_.CheckFieldCount());
  TRIPLINE_RETURN_IF_ERROR(columns_.Apply(reader_.fields(), event));
  return LineKind::kRecord;
}

}  // namespace tripline::agent
