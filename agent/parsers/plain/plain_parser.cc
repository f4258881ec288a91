#include "agent/parsers/plain/plain_parser.h"

namespace tripline::agent {

absl::StatusOr<LineKind> PlainParser::Parse(std::string_view line, v1::Event& event) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return LineKind::kSkipped;
  event.mutable_app()->set_message(std::string(line));
  return LineKind::kRecord;
}

}  // namespace tripline::agent
