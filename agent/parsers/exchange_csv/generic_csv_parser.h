#pragma once

#include "agent/parsers/exchange_csv/csv_log_reader.h"
#include "agent/parsers/exchange_csv/http_column_map.h"
#include "agent/parsers/parser.h"

namespace tripline::agent {

// Hand-made CSV excerpts of web logs, as incident responders pass them around (the helsecert OWA
// probing excerpt): a header line of names, records, and `-----` separators between days.
//
// A line is a header when all its fields are identifier-like names (a letter, then letters,
// digits, '-', '_' or '.') and either no header was seen yet, the previous line was a separator,
// or at least two of its names are known web-log names (timestamp, hostname, urlpath, useragent,
// httpstatus*, http-metode/method, clientip, and the HttpProxy names): so a repeated header
// mid-file switches the layout, while a record of plain words does not. A `#Fields:` directive
// also sets the header. Known names fill HttpRequest (see HttpColumnMap), others go to extra.
// A separator line (only '-' or '=', at least 3) is returned as an error so that it is counted.
// A record whose field count differs from the header is an error naming both counts.
//
// Lifecycle, thread and ownership as for every Parser (parser.h): one per tailed file.
class GenericCsvParser final : public Parser {
 public:
  GenericCsvParser() = default;

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  void Reset() override;

  const std::vector<std::string>& fields() const { return reader_.header(); }

 private:
  bool IsHeaderLine(bool after_separator) const;

  CsvLogReader reader_;
  HttpColumnMap columns_;
  bool after_separator_ = false;
};

}  // namespace tripline::agent
