#include "tests/unit/correlator/engine/sequence/sequence_test_util.h"

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "common/time_util.h"
#include "tests/unit/correlator/engine/test_util.h"

namespace tripline::correlator::engine::testing {
namespace {

v1::Event Base(const std::string& host, int64_t seconds, const std::string& id,
               const std::string& format) {
  v1::Event e;
  e.set_event_id(id);
  e.mutable_host()->set_id("id-" + host);
  e.mutable_host()->set_name(host);
  e.mutable_host()->set_os_type("windows");
  e.mutable_source()->set_format(format);
  e.mutable_event_time()->set_seconds(kT0 + seconds);
  return e;
}

}  // namespace

v1::Event FileEvent(const std::string& host, const std::string& path, int64_t seconds,
                    const std::string& id, v1::FileChange::Action action) {
  v1::Event e = Base(host, seconds, id, "fim");
  v1::FileChange* f = e.mutable_file();
  f->set_action(action);
  f->set_path(path);
  f->set_name(path.substr(path.find_last_of('\\') + 1));
  f->mutable_process()->set_executable("C:\\Windows\\System32\\inetsrv\\w3wp.exe");
  return e;
}

v1::Event Request(const std::string& host, const std::string& path, int64_t seconds,
                  const std::string& id) {
  v1::Event e = Base(host, seconds, id, "w3c");
  v1::HttpRequest* h = e.mutable_http();
  h->set_method("POST");
  h->set_url_path(path);
  h->set_status_code(200);
  h->set_source_ip("203.0.113.7");
  return e;
}

v1::Event Spawn(const std::string& host, const std::string& parent, const std::string& image,
                int64_t seconds, const std::string& id) {
  v1::Event e = Base(host, seconds, id, "winevent_json");
  v1::ProcessStart* p = e.mutable_process();
  p->mutable_parent()->set_executable(parent);
  p->mutable_process()->set_executable(image);
  p->mutable_process()->set_command_line(image + " /c whoami");
  return e;
}

v1::Event ServiceInstalled(const std::string& host, const std::string& name, int64_t seconds,
                           const std::string& id) {
  v1::Event e = Base(host, seconds, id, "winevent_json");
  v1::ServiceChange* s = e.mutable_service();
  s->set_action(v1::ServiceChange::ACTION_INSTALLED);
  s->set_name(name);
  s->set_executable("C:\\Windows\\" + name + ".exe");
  return e;
}

google::protobuf::Timestamp FixedNow() { return TimestampFromMicros(42); }

std::shared_ptr<const RuleSet> LoadOrDie(const std::string& yaml) {
  LoadResult loaded = LoadRules(yaml, "rules.yml");
  EXPECT_TRUE(loaded.errors.empty()) << absl::StrJoin(loaded.errors, "\n");
  return loaded.rules;
}

std::shared_ptr<const RuleSet> ShippedHafniumRules() {
  RuleLoader loader(&ShippedFieldMap());
  const std::string dir = std::string(TRIPLINE_SOURCE_DIR) + "/config/rules/hafnium/";
  LoadResult r = loader.LoadPaths(
      {dir + "webshell_write_request_spawn.yml", dir + "new_service_on_exchange.yml"});
  EXPECT_TRUE(r.errors.empty()) << absl::StrJoin(r.errors, "\n");
  return r.rules;
}

EngineHarness::EngineHarness(const std::string& yaml, int64_t lateness_seconds)
    : EngineHarness(LoadOrDie(yaml), lateness_seconds) {}

EngineHarness::EngineHarness(std::shared_ptr<const RuleSet> rules, int64_t lateness_seconds)
    : rules_(std::move(rules)), engine_(rules_, &FixedNow) {
  engine_.set_allowed_lateness_us(lateness_seconds * 1'000'000);
}

std::vector<v1::Alert> EngineHarness::Feed(const v1::Event& event) {
  std::vector<v1::Alert> alerts;
  engine_.Process(event, &alerts);
  return alerts;
}

}  // namespace tripline::correlator::engine::testing
