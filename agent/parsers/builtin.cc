// The one list of parsers the agent has. Adding a parser means adding it here.
#include "agent/parsers/exchange_csv/ecp_server_parser.h"
#include "agent/parsers/exchange_csv/generic_csv_parser.h"
#include "agent/parsers/exchange_csv/httpproxy_parser.h"
#include "agent/parsers/exchange_csv/oab_generator_parser.h"
#include "agent/parsers/json/json_parser.h"
#include "agent/parsers/parser.h"
#include "agent/parsers/plain/plain_parser.h"
#include "agent/parsers/w3c/w3c_parser.h"
#include "agent/parsers/winevent_json/winevent_json_parser.h"

namespace tripline::agent {

std::unique_ptr<Parser> MakeParser(std::string_view format) {
  if (format == "w3c") return std::make_unique<W3cParser>();
  if (format == "httpproxy") return std::make_unique<HttpProxyParser>();
  if (format == "ecp") return std::make_unique<EcpServerParser>();
  if (format == "oab") return std::make_unique<OabGeneratorParser>();
  if (format == "csv") return std::make_unique<GenericCsvParser>();
  if (format == "json") return std::make_unique<JsonParser>();
  if (format == "plain") return std::make_unique<PlainParser>();
  if (format == "winevent_json") return std::make_unique<WinEventJsonParser>();
  return nullptr;
}

const std::vector<std::string>& ParserFormats() {
  static const std::vector<std::string> kFormats = {
      "w3c", "httpproxy", "ecp", "oab", "csv", "json", "plain", "winevent_json"};
  return kFormats;
}

}  // namespace tripline::agent
