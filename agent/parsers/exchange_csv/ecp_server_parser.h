#pragma once

#include "agent/parsers/exchange_csv/csv_log_reader.h"
#include "agent/parsers/exchange_csv/ecp_event_data.h"
#include "agent/parsers/parser.h"

namespace tripline::agent {

// ECP Server log (Logging\ECP\Server\ECPServer*.LOG, `#Log-type: ECP Server Log`,
// `#Fields: TimeStamp,ServerName,EventId,EventData`). The same layout is assumed before any
// #Fields directive. EventData is the last column and is not reliably CSV-quoted (its cmdlet
// values contain commas), so it takes the rest of the line; a raw EventData has its doubled ""
// undone. Without a #Fields directive, a line `TimeStamp,S:...` (the CERT-abridged form that
// keeps only the time and the pairs) is accepted too.
//
// A record with an S:CMD pair becomes ExchangeCmdlet: name and parameters from S:CMD (see
// ParseEcpCommand), origin "ecp", user_name from S:SID (else S:USID), command_line the raw S:CMD,
// error = S:EX and succeeded = S:EX empty or absent. Other records become AppLog: message the
// EventId, fields the pairs by key (without `S:`) plus the non-EventData columns by header name.
// A line whose TimeStamp is not a time (annotations, prose) is an error.
//
// Lifecycle, thread and ownership as for every Parser (parser.h): one per tailed file.
class EcpServerParser final : public Parser {
 public:
  EcpServerParser() { Reset(); }

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override;

 private:
  void SetLayout();
  // Splits a data line into event_time, columns_ and event_data_.
  absl::Status SplitRecord(std::string_view data, v1::Event& event);
  void FillCmdlet(const EcpPair& cmd, v1::Event& event) const;
  void FillAppLog(v1::Event& event) const;

  CsvLogReader reader_;
  size_t time_index_ = 0;
  size_t data_index_ = 3;
  std::vector<std::pair<std::string, std::string>> columns_;  // other columns of this record
  std::string event_data_;
  std::vector<EcpPair> pairs_;
};

}  // namespace tripline::agent
