// libFuzzer target for one line parser (TRIPLINE_FUZZ_FORMAT: w3c, httpproxy, ecp, json, ...):
// the input is a log file, fed line by line as the file source does, header lines included, so
// the layouts the headers declare are fuzzed too. A parser must answer every line with a record,
// a skip or an error, never crash, and never leave a record without its event time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/parsers/parser.h"

#ifndef TRIPLINE_FUZZ_FORMAT
#error "TRIPLINE_FUZZ_FORMAT names the parser"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto parser = tripline::agent::MakeParser(TRIPLINE_FUZZ_FORMAT);
  if (!parser) std::abort();
  parser->Reset();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  tripline::v1::Event event;
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    event.Clear();
    auto kind = parser->Parse(line, event);
    // Whatever a parser fills must serialize: the agent ships it next.
    if (kind.ok() && *kind == tripline::agent::LineKind::kRecord) (void)event.SerializeAsString();
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return 0;
}
