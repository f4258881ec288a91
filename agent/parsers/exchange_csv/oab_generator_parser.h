#pragma once

#include <string>
#include <string_view>

#include "agent/parsers/exchange_csv/csv_log_reader.h"
#include "agent/parsers/parser.h"

namespace tripline::agent {

// OAB generator log (Logging\OABGeneratorLog\*.log) into AppLog. No public sample of its column
// layout exists in the reference material, so the parser is tolerant:
//  * after a `#Fields:` directive, the column named Message (or EventData, Data, Text; else the
//    last column) is the message and takes the rest of the line when it is last; a column named
//    DateTime/TimeStamp/Date-Time/Time is the event time; other non-empty columns go to fields
//    under their header name;
//  * without #Fields, a line `<ISO 8601 time>,<message>` is split there, anything else is all
//    message.
// CVE-2021-26858: when the message says `Download failed and temporary file '<path>' needs to be
// removed`, fields["oab.temporary_file"] = <path> (quotes removed). A path outside
// <ExchangePath>ClientAccess\OAB is the exploitation sign; that judgement belongs to the rules.
//
// Lifecycle, thread and ownership as for every Parser (parser.h): one per tailed file.
class OabGeneratorParser final : public Parser {
 public:
  OabGeneratorParser() { Reset(); }

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override;

  // The temporary file path named by a "Download failed and temporary file" message, or empty.
  static std::string_view TemporaryFile(std::string_view message);

 private:
  void SetLayout();
  absl::Status ParseColumns(std::string_view data, v1::Event& event);
  absl::Status ParseHeaderless(std::string_view data, v1::Event& event);

  CsvLogReader reader_;
  size_t message_index_ = 0;
  size_t time_index_ = SIZE_MAX;  // SIZE_MAX: no time column
};

}  // namespace tripline::agent
