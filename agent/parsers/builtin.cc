// The one list of parsers the agent has. Adding a parser means adding it here.
#include "agent/parsers/parser.h"
#include "agent/parsers/w3c/w3c_parser.h"

namespace tripline::agent {

std::unique_ptr<Parser> MakeParser(std::string_view format) {
  if (format == "w3c") return std::make_unique<W3cParser>();
  return nullptr;
}

const std::vector<std::string>& ParserFormats() {
  static const std::vector<std::string> kFormats = {"w3c"};
  return kFormats;
}

}  // namespace tripline::agent
