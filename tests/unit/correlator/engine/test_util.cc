#include "tests/unit/correlator/engine/test_util.h"

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "correlator/engine/engine.h"

namespace tripline::correlator::engine::testing {

const FieldMap& ShippedFieldMap() {
  static const FieldMap* map = [] {
    std::vector<std::string> errors;
    auto* m = new FieldMap(
        FieldMap::LoadFile(std::string(TRIPLINE_SOURCE_DIR) + "/config/field_map.yaml", &errors));
    EXPECT_TRUE(errors.empty()) << absl::StrJoin(errors, "\n");
    return m;
  }();
  return *map;
}

LoadResult LoadRules(const std::string& yaml, const std::string& file_name) {
  return RuleLoader(&ShippedFieldMap()).LoadString(yaml, file_name);
}

std::string MakeRule(const std::string& logsource_yaml, const std::string& detection_yaml,
                     const std::string& id) {
  return "title: Test rule\nid: " + id +
         "\nstatus: test\nlevel: high\ntags:\n  - attack.execution\n  - attack.t1059.001\n"
         "logsource:\n" +
         logsource_yaml + "detection:\n" + detection_yaml;
}

std::vector<v1::Alert> Run(const std::string& yaml, const v1::Event& event) {
  LoadResult loaded = LoadRules(yaml);
  EXPECT_TRUE(loaded.errors.empty()) << absl::StrJoin(loaded.errors, "\n");
  Engine engine(loaded.rules);
  std::vector<v1::Alert> alerts;
  engine.Process(event, &alerts);
  return alerts;
}

v1::Event HttpEvent(const std::string& method, const std::string& path, const std::string& query) {
  v1::Event e;
  e.set_event_id("ev-http-1");
  e.mutable_host()->set_id("host-1");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_source()->set_format("w3c");
  e.mutable_event_time()->set_seconds(1614913587);
  e.set_original(method + " " + path + " " + query);
  v1::HttpRequest* h = e.mutable_http();
  h->set_method(method);
  h->set_url_path(path);
  h->set_url_query(query);
  h->set_status_code(200);
  h->set_source_ip("203.0.113.7");
  return e;
}

v1::Event ProcessEvent(const std::string& image, const std::string& command_line,
                       const std::string& parent_image) {
  v1::Event e;
  e.set_event_id("ev-proc-1");
  e.mutable_host()->set_id("host-1");
  e.mutable_host()->set_name("EXCH01");
  e.mutable_host()->set_os_type("windows");
  e.mutable_source()->set_format("winevent_json");
  e.mutable_event_time()->set_seconds(1614913600);
  e.set_original(command_line);
  v1::ProcessStart* p = e.mutable_process();
  p->mutable_process()->set_executable(image);
  p->mutable_process()->set_name(image.substr(image.find_last_of('\\') + 1));
  p->mutable_process()->set_command_line(command_line);
  p->mutable_process()->set_pid(4242);
  p->mutable_parent()->set_executable(parent_image);
  p->mutable_parent()->set_pid(1000);
  p->set_user_domain("NT AUTHORITY");
  p->set_user_name("SYSTEM");
  return e;
}

}  // namespace tripline::correlator::engine::testing
