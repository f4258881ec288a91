#pragma once

#include "agent/parsers/exchange_csv/csv_log_reader.h"
#include "agent/parsers/exchange_csv/http_column_map.h"
#include "agent/parsers/parser.h"

namespace tripline::agent {

// Exchange HttpProxy logs (Logging\HttpProxy\<Protocol>\HttpProxy_*.LOG, every protocol folder:
// Owa, Ecp, Ews, Autodiscover, Mapi, Oab, Eas, PowerShell, RpcHttp, ...) into HttpRequest.
// The `#Fields:` directive decides the columns wherever it appears. Until a #Fields directive has
// been seen, a line whose fields are all HttpProxy column names is taken as the header: this is
// how Test-ProxyLogon's CSV export (`#TYPE` line, then a quoted header line) parses.
// Typed fields: see HttpColumnMap; other non-empty columns (BackEndCookie, GenericInfo, ...) go to
// HttpRequest.extra under their header name.
//
// Lifecycle, thread and ownership as for every Parser (parser.h): one per tailed file.
class HttpProxyParser final : public Parser {
 public:
  HttpProxyParser() = default;

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  v1::Event::BodyCase body() const override { return v1::Event::kHttp; }
  void Reset() override { reader_.Reset(); }

  // The header in force (empty before the first header).
  const std::vector<std::string>& fields() const { return reader_.header(); }

 private:
  bool IsHeaderLine() const;

  CsvLogReader reader_;
  HttpColumnMap columns_;
};

}  // namespace tripline::agent
