#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "agent/sources/evtx/evtx_source.h"
#include "agent/sources/evtx/evtx_xml_reader.h"

// Every capture of the SigmaHQ regression data (../shared/data/sigma-regression, SigmaHQ
// regression_data @ 8eaafff1) through the real EVTX path, checked against the JSON rendering
// SigmaHQ ships beside each capture.
namespace tripline::agent {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kRegression = std::string(TRIPLINE_WINDOWS_SHARED_DIR) + "/data/sigma-regression";

// The value our Event holds for a Sigma field name, for the bodies that map it.
std::optional<std::string> FieldOf(const v1::Event& e, const std::string& key) {
  if (e.has_process()) {
    const auto& p = e.process();
    if (key == "Image") return p.process().executable();
    if (key == "CommandLine") return p.process().command_line();
    if (key == "ParentImage") return p.parent().executable();
    if (key == "ParentCommandLine") return p.parent().command_line();
    if (key == "OriginalFileName") return p.original_file_name();
    return std::nullopt;
  }
  if (e.has_file()) {
    if (key == "TargetFilename") return e.file().path();
    if (key == "Image") return e.file().process().executable();
    return std::nullopt;
  }
  if (e.has_network()) {
    if (key == "DestinationIp") return e.network().destination_ip();
    if (key == "DestinationPort") return std::to_string(e.network().destination_port());
    if (key == "Image") return e.network().process().executable();
    return std::nullopt;
  }
  if (e.has_windows()) {
    auto it = e.windows().data().find(key);
    if (it != e.windows().data().end()) return it->second;
  }
  return std::nullopt;
}

// SigmaHQ's JSON renderer trims trailing blanks off values (libevtx, like Windows, keeps them:
// `cmd /c start powershell&REM `) and both write "-" for "no value": compare without either.
std::string Comparable(std::string v) {
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v == "-" ? "" : v;
}

std::string JsonText(const Json& v) {
  if (v.is_string()) return Comparable(v.get<std::string>());
  if (v.is_null()) return "";
  return v.dump();
}

// The JSON file holds one or more pretty-printed objects one after another.
std::vector<Json> ReadJsonEvents(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Json> out;
  while (in >> std::ws && in.peek() != EOF) {
    Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
    if (j.is_discarded()) break;
    out.push_back(std::move(j));
    if (!in.good()) break;
  }
  return out;
}

void CompareWithJson(const fs::path& json_path, const std::vector<v1::Event>& events,
                     int& compared_fields) {
  std::map<uint64_t, const v1::Event*> by_id;
  for (const auto& e : events) {
    WindowsEventRecord r;
    if (EvtxXmlReader::Read(e.original(), r).ok() && !e.labels().contains("evtx.recovered")) {
      by_id[r.record_id] = &e;
    }
  }
  static const std::set<std::string> kFields = {
      "Image", "CommandLine", "ParentImage", "ParentCommandLine", "OriginalFileName",
      "TargetFilename", "DestinationIp", "DestinationPort", "SourceImage", "TargetImage",
      "GrantedAccess", "TargetObject", "Details", "QueryName", "ImageLoaded"};
  for (const Json& j : ReadJsonEvents(json_path)) {
    const Json& ev = j.at("Event");
    uint64_t id = ev.at("System").at("EventRecordID").get<uint64_t>();
    auto it = by_id.find(id);
    ASSERT_NE(it, by_id.end()) << json_path << ": record " << id << " not emitted";
    if (!ev.contains("EventData") || !ev.at("EventData").is_object()) continue;
    for (const auto& [key, value] : ev.at("EventData").items()) {
      if (!kFields.count(key)) continue;
      std::optional<std::string> ours = FieldOf(*it->second, key);
      if (!ours) continue;
      EXPECT_EQ(Comparable(*ours), JsonText(value))
          << json_path << " record " << id << " field " << key;
      ++compared_fields;
    }
  }
}

TEST(EvtxCorpusTest, EverySigmaRegressionRecordNormalizes) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kRegression)) {
    if (entry.path().extension() == ".evtx") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 96u) << "expected the 96 SigmaHQ regression captures in " << kRegression;
  std::map<std::string, std::pair<int, int>> per_channel;  // channel -> (records, recovered)
  uint64_t unreadable_recovered = 0;
  int compared_fields = 0;
  int duplicated = 0;
  for (const fs::path& file : files) {
    // Each capture sits alone in its rule's folder: read the folder, as an agent would.
    EvtxSource source({.name = "sigma", .path = file.parent_path().string(), .poll_interval = {}},
                      "agent", v1::Host());
    ASSERT_TRUE(source.Start("").ok());
    std::vector<v1::Event> events;
    auto n = source.Poll(SIZE_MAX, [&events](const v1::Event& e) {
      events.push_back(e);
      return absl::OkStatus();
    });
    ASSERT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(source.counters().read_errors, 0u) << file;
    EXPECT_EQ(source.normalizer_counters().records, events.size());
    size_t normal = 0;
    std::set<std::pair<std::string, uint64_t>> normal_ids, recovered_ids;
    for (const v1::Event& e : events) {
      WindowsEventRecord r;
      ASSERT_TRUE(EvtxXmlReader::Read(e.original(), r).ok()) << file;
      bool recovered = e.labels().contains("evtx.recovered");
      auto& counts = per_channel[r.channel];
      (recovered ? counts.second : counts.first)++;
      normal += recovered ? 0 : 1;
      (recovered ? recovered_ids : normal_ids).insert({r.channel, r.record_id});
      EXPECT_FALSE(e.has_app()) << file;
      EXPECT_TRUE(e.has_event_time());
    }
    EXPECT_GE(normal, 1u) << file;
    for (const auto& id : recovered_ids) duplicated += normal_ids.count(id);
    unreadable_recovered += source.recovered_unreadable();
    fs::path json = file;
    json.replace_extension(".json");
    if (fs::exists(json)) CompareWithJson(json, events, compared_fields);
  }
  std::cout << "sigma-regression: " << files.size() << " files, per channel (records + recovered):\n";
  for (const auto& [channel, counts] : per_channel) {
    std::cout << "  " << channel << ": " << counts.first << " + " << counts.second << "\n";
  }
  std::cout << "  recovered records libevtx could not read: " << unreadable_recovered << "\n"
            << "  recovered copies of live records: " << duplicated << "\n"
            << "  fields compared with SigmaHQ's JSON rendering: " << compared_fields << "\n";
  EXPECT_GT(compared_fields, 300);
}

}  // namespace
}  // namespace tripline::agent
