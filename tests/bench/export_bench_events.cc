// Writes the engine benchmark's event mix (bench_events.h) as JSON lines, one event per line in
// the mix's order, with the field names Sigma rules use natively, so that another Sigma engine
// (rsigma_compare.sh runs RSigma) sees the same records as engine_bench:
//   Windows events: EventID, Provider_Name, Channel, Computer, Level, EventRecordID and every
//     EventData / UserData value under its own name (Image, CommandLine, ParentImage,
//     TargetFilename, GrantedAccess, ...). Read from the record's XML (`original`), because the
//     typed bodies (ProcessStart, FileChange, ...) keep only the fields they have a place for;
//     hex values lose their zero padding as in EvtxSource. A record whose XML was cut (16 KiB) or
//     cannot be read is written from its WindowsEvent body when it has one, else from the
//     envelope only, and counted on stderr.
//   IIS requests: cs-method, cs-uri-stem, cs-uri-query, c-ip, cs(User-Agent), sc-status (Sigma's
//     webserver taxonomy), sc-status as a number.
// Values are strings except EventID, Level, EventRecordID and sc-status; bytes that are not
// UTF-8 are replaced.
//   export_bench_events [OUT.jsonl] [REGRESSION_DIR]    (stdout and the shared captures by default)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "agent/sources/evtx/evtx_xml_reader.h"
#include "nlohmann/json.hpp"
#include "tests/bench/bench_events.h"

namespace tripline::bench {
namespace {

using Json = nlohmann::ordered_json;

// As EvtxSource: libevtx zero-pads HexInt32/64 ("0x001fffff"), Windows and Sigma rules do not.
std::string UnpadHex(std::string value) {
  if ((value.size() != 10 && value.size() != 18) || value.compare(0, 3, "0x0") != 0 ||
      value.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos) {
    return value;
  }
  size_t first = value.find_first_not_of('0', 2);
  value.erase(2, (first == std::string::npos ? value.size() - 1 : first) - 2);
  return value;
}

Json WindowsJson(uint32_t event_id, const std::string& provider, const std::string& channel,
                 const std::string& computer, uint32_t level, uint64_t record_id,
                 const google::protobuf::Map<std::string, std::string>* body_data,
                 const std::map<std::string, std::string>* xml_data) {
  Json out;
  out["EventID"] = event_id;
  out["Provider_Name"] = provider;
  out["Channel"] = channel;
  out["Computer"] = computer;
  out["Level"] = level;
  out["EventRecordID"] = record_id;
  auto add = [&out](const std::string& name, const std::string& value) {
    if (!out.contains(name)) out[name] = UnpadHex(value);  // the System fields win
  };
  if (xml_data != nullptr) {
    for (const auto& [name, value] : *xml_data) add(name, value);
  }
  if (body_data != nullptr) {
    for (const auto& [name, value] : *body_data) add(name, value);
  }
  return out;
}

// The record as its XML says, or what the event kept of it when the XML is cut or unreadable
// (`complete` false).
Json WindowsEventJson(const v1::Event& event, bool& complete) {
  agent::WindowsEventRecord record;
  complete = !event.original_truncated() &&
             agent::EvtxXmlReader::Read(event.original(), record).ok();
  if (complete) {
    return WindowsJson(record.event_id, record.provider, record.channel, record.computer,
                       record.level, record.record_id, nullptr, &record.data);
  }
  if (event.has_windows()) {
    const v1::WindowsEvent& w = event.windows();
    return WindowsJson(w.event_code(), w.provider(), w.channel(), w.computer(), w.level(),
                       w.record_id(), &w.data(), nullptr);
  }
  return WindowsJson(0, "", "", event.host().name(), 0, event.source().position(), nullptr,
                     nullptr);
}

Json HttpJson(const v1::HttpRequest& http) {
  Json out;
  out["cs-method"] = http.method();
  out["cs-uri-stem"] = http.url_path();
  out["cs-uri-query"] = http.url_query();
  out["c-ip"] = http.source_ip();
  out["cs(User-Agent)"] = http.user_agent();
  out["sc-status"] = http.status_code();
  return out;
}

int Export(std::ostream& out, const std::string& regression_dir) {
  std::vector<v1::Event> events = LoadBenchEvents(regression_dir);
  size_t windows = 0, http = 0, incomplete = 0;
  for (const v1::Event& event : events) {
    Json json;
    if (event.has_http()) {
      json = HttpJson(event.http());
      ++http;
    } else {
      bool complete = true;
      json = WindowsEventJson(event, complete);
      ++windows;
      if (!complete) ++incomplete;
    }
    out << json.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
  }
  out.flush();
  std::fprintf(stderr,
               "export_bench_events: %zu events (%zu Windows, %zu IIS); %zu Windows records "
               "written without their full XML\n",
               events.size(), windows, http, incomplete);
  return out ? 0 : 1;
}

}  // namespace
}  // namespace tripline::bench

int main(int argc, char** argv) {
  std::string regression_dir = TRIPLINE_SHARED_DIR "/data/sigma-regression";
  if (argc > 2) regression_dir = argv[2];
  if (argc > 1 && std::string(argv[1]) != "-") {
    std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "export_bench_events: cannot write %s\n", argv[1]);
      return 1;
    }
    return tripline::bench::Export(file, regression_dir);
  }
  return tripline::bench::Export(std::cout, regression_dir);
}
