#include "hafnium_pack.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "common/time_util.h"
#include "correlator/cli/event_reader.h"
#include "correlator/engine/engine.h"

namespace tripline::correlator::hafnium_test {
namespace {

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The readers log every line they cannot parse (the samples' annotations and separators) as a
// warning; these tests assert on alerts, so only errors are worth printing.
const bool kQuietReaders = [] {
  spdlog::set_level(spdlog::level::err);
  return true;
}();

google::protobuf::Timestamp FixedNow() {
  google::protobuf::Timestamp t;
  t.set_seconds(1'700'000'000);
  return t;
}

std::string TitleOf(const std::string& id) {
  const engine::RuleSet& set = *Pack().rules;
  if (const engine::SigmaRule* r = set.FindById(id)) return r->metadata().title;
  for (const auto& c : set.correlations()) {
    if (c.rule->metadata.id == id) return c.rule->metadata.title;
  }
  for (const auto& s : set.sequences()) {
    if (s->metadata.id == id) return s->metadata.title;
  }
  for (const auto& f : set.first_seen()) {
    if (f->metadata.id == id) return f->metadata.title;
  }
  return "?";
}

}  // namespace

const engine::FieldMap& FieldMapForTests() {
  static const engine::FieldMap* map = [] {
    std::vector<std::string> errors;
    auto* m = new engine::FieldMap(
        engine::FieldMap::LoadFile(kRepoDir + "/config/field_map.yaml", &errors));
    for (const std::string& e : errors) ADD_FAILURE() << "field map: " << e;
    return m;
  }();
  return *map;
}

const engine::LoadResult& Pack() {
  static const engine::LoadResult* pack = [] {
    engine::RuleLoader loader(&FieldMapForTests());
    return new engine::LoadResult(loader.LoadPaths({kPackDir}));
  }();
  return *pack;
}

std::vector<v1::Event> ReadLog(const std::string& path, const std::string& format) {
  std::vector<v1::Event> events;
  absl::Status status = cli::ReadLogFile(path, format, v1::DeclaredLogsource(),
                                         [&](const v1::Event& e) {
                                           events.push_back(e);
                                           return absl::OkStatus();
                                         });
  EXPECT_TRUE(status.ok()) << path << ": " << status;
  EXPECT_FALSE(events.empty()) << path << ": no events";
  return events;
}

std::vector<v1::Event> ReadEvtx(const std::string& path) {
  std::vector<v1::Event> events;
  absl::Status status = cli::ReadEvtxFile(path, [&](const v1::Event& e) {
    events.push_back(e);
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << path << ": " << status;
  EXPECT_FALSE(events.empty()) << path << ": no events";
  return events;
}

std::vector<v1::Event> ReadFixture(const std::string& name) {
  const std::string path = kDataDir + "/" + name;
  if (EndsWith(name, ".jsonl")) return ReadLog(path, "winevent_json");
  if (EndsWith(name, ".w3c.log")) return ReadLog(path, "w3c");
  if (EndsWith(name, ".httpproxy.LOG")) return ReadLog(path, "httpproxy");
  if (EndsWith(name, ".ecp.LOG")) return ReadLog(path, "ecp");
  if (EndsWith(name, ".oab.LOG")) return ReadLog(path, "oab");
  ADD_FAILURE() << name << ": no format for this fixture name";
  return {};
}

void OnExchangeHost(std::vector<v1::Event>* events) {
  for (v1::Event& e : *events) {
    e.mutable_host()->set_name("EXCH01");
    e.mutable_host()->set_os_type("windows");
    e.mutable_host()->set_exchange_build("15.1.2176.2");
  }
}

std::vector<v1::Alert> RunPack(std::vector<v1::Event> events) {
  std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
    return MicrosFromTimestamp(a.event_time()) < MicrosFromTimestamp(b.event_time());
  });
  engine::Engine engine(Pack().rules, &FixedNow);
  std::vector<v1::Alert> alerts;
  for (const v1::Event& e : events) engine.Process(e, &alerts);
  return alerts;
}

Fired CountByRule(const std::vector<v1::Alert>& alerts) {
  Fired fired;
  for (const v1::Alert& a : alerts) ++fired[a.rule().id()];
  return fired;
}

Fired RunFixtures(const std::vector<std::string>& names) {
  std::vector<v1::Event> events;
  for (const std::string& name : names) {
    std::vector<v1::Event> more = ReadFixture(name);
    events.insert(events.end(), more.begin(), more.end());
  }
  OnExchangeHost(&events);
  return CountByRule(RunPack(std::move(events)));
}

std::string Describe(const Fired& fired) {
  std::string out;
  for (const auto& [id, n] : fired) {
    out += "\n  " + TitleOf(id) + " (" + id + "): " + std::to_string(n);
  }
  return out.empty() ? "\n  (nothing)" : out;
}

}  // namespace tripline::correlator::hafnium_test
