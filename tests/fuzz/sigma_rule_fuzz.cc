// libFuzzer target for the rule loader: the input is a rule file (Sigma, Sigma correlation or a
// Tripline sequence/first-seen document). Whatever compiles is then run over a few events, so
// the compiled matchers (wildcards, regular expressions, CIDR, modifiers) are fuzzed as well.
// A bad rule must come back as file:line errors, never as a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "correlator/engine/engine.h"
#include "correlator/engine/rule_loader.h"

namespace engine = tripline::correlator::engine;

namespace {

const engine::FieldMap& Map() {
  static const engine::FieldMap map = [] {
    std::vector<std::string> errors;
    auto m = engine::FieldMap::LoadFile(TRIPLINE_SOURCE_DIR "/config/field_map.yaml", &errors);
    if (!errors.empty()) std::abort();
    return m;
  }();
  return map;
}

std::vector<tripline::v1::Event> Events() {
  std::vector<tripline::v1::Event> events(3);
  events[0].mutable_host()->set_name("EXCH01");
  events[0].mutable_event_time()->set_seconds(1614914600);
  auto* p = events[0].mutable_process();
  p->mutable_process()->set_executable("C:\\Windows\\System32\\cmd.exe");
  p->mutable_process()->set_name("cmd.exe");
  p->mutable_process()->set_command_line("cmd /c whoami & net group \"Exchange Trusted Subsystem\" /domain");
  p->mutable_parent()->set_executable("c:\\windows\\system32\\inetsrv\\w3wp.exe");
  events[1].mutable_host()->set_name("EXCH01");
  events[1].mutable_event_time()->set_seconds(1614914660);
  auto* h = events[1].mutable_http();
  h->set_method("POST");
  h->set_url_path("/owa/auth/x.js");
  h->set_source_ip("203.0.113.9");
  h->set_status_code(200);
  events[2].mutable_host()->set_name("EXCH02");
  events[2].mutable_event_time()->set_seconds(1614914720);
  events[2].mutable_file()->set_path("C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx");
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<tripline::v1::Event> events = Events();
  engine::RuleLoader loader(&Map());
  engine::LoadResult result =
      loader.LoadString(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yml");
  if (result.rules == nullptr || result.rules->size() == 0) return 0;
  engine::Engine e(result.rules);
  std::vector<tripline::v1::Alert> alerts;
  for (const auto& event : events) e.Process(event, &alerts);
  return 0;
}
