// The Windows sample configs (config/agent-windows-exchange{2016,2019}.yaml), loaded by the Linux
// build. Two parts of them only a Windows build can accept: their paths (`C:\...` is not an
// absolute path on Linux) and the `winevent` source (live event channels). So each sample is
// checked twice:
//  * as shipped: it must fail, and only for those parts: every problem sits on a source that
//    holds Windows paths and says the path is not absolute, or is the one problem of the winevent
//    source, on its `type` (the loader checks that section's keys on Linux too, then refuses the
//    type); every Windows path of a file source is named once;
//  * with every Windows path mapped under a temp folder (`C:\a\b` -> `<tmp>/C/a/b`) and the
//    winevent source left out: it must load without a problem or a warning, with the sources
//    and settings its comments describe.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <sstream>

#include "agent/agent_config.h"
#include "tests/support/temp_dir.h"

namespace tripline::agent {
namespace {

bool IsWindowsPath(const std::string& s) {
  return s.size() >= 3 && std::isalpha(static_cast<unsigned char>(s[0])) && s[1] == ':' &&
         s[2] == '\\';
}

// How many Windows paths a source lists under `paths`.
int WindowsPaths(const YAML::Node& source) {
  int n = 0;
  for (const auto& p : source["paths"]) n += IsWindowsPath(p.as<std::string>());
  return n;
}

std::string SourceType(const YAML::Node& source) {
  return source["type"] ? source["type"].as<std::string>() : "file";
}

// The errors of a failed load, one entry each: a line that does not start with the file's name
// continues the error before it (a FIM problem lists its fields on lines of their own).
std::vector<std::string> SplitErrors(const std::string& message, const std::string& file) {
  std::vector<std::string> errors;
  std::istringstream in(message);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(file + ":", 0) == 0 || errors.empty()) {
      errors.push_back(line);
    } else {
      errors.back() += "\n" + line;
    }
  }
  return errors;
}

// Replaces every Windows path scalar under `node` by the same path under `base`.
void MapWindowsPaths(YAML::Node node, const std::string& base) {
  if (node.IsMap()) {
    for (auto kv : node) MapWindowsPaths(kv.second, base);
  } else if (node.IsSequence()) {
    for (auto item : node) MapWindowsPaths(item, base);
  } else if (node.IsScalar() && IsWindowsPath(node.Scalar())) {
    std::string path = node.Scalar();
    std::replace(path.begin(), path.end(), '\\', '/');
    node = base + "/" + path.substr(0, 1) + path.substr(2);  // 'C:\x' -> '<base>/C/x'
  }
}

class WindowsSampleConfig : public ::testing::TestWithParam<const char*> {
 protected:
  std::string path() const { return std::string(TRIPLINE_SOURCE_DIR "/config/") + GetParam(); }
};

TEST_P(WindowsSampleConfig, AsShippedFailsOnLinuxOnlyForItsWindowsParts) {
  const YAML::Node sources = YAML::LoadFile(path())["sources"];
  auto c = LoadAgentConfig(path());
  ASSERT_FALSE(c.ok()) << "C:\\ paths cannot be absolute on Linux";
  ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  static const std::regex kWhere(R"(^:\d+: sources\[(\d+)\]\.([a-z_]+): )");
  std::map<size_t, int> per_source;
  for (const std::string& e : SplitErrors(std::string(c.status().message()), path())) {
    std::smatch m;
    const std::string rest = e.substr(std::min(e.size(), path().size()));
    ASSERT_TRUE(std::regex_search(rest, m, kWhere)) << "a problem outside the sources: " << e;
    const size_t i = std::stoul(m[1]);
    const std::string key = m[2];
    ASSERT_LT(i, sources.size()) << e;
    ++per_source[i];
    if (SourceType(sources[i]) == "winevent") {
      EXPECT_EQ(key, "type") << e;
      EXPECT_NE(e.find("winevent"), std::string::npos) << e;
    } else {
      EXPECT_EQ(key, "paths") << e;
      EXPECT_GT(WindowsPaths(sources[i]), 0) << e;
      EXPECT_NE(e.find("absolute"), std::string::npos) << e;
    }
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const std::string type = SourceType(sources[i]);
    if (type == "file") {
      EXPECT_EQ(per_source[i], WindowsPaths(sources[i])) << "sources[" << i << "]";
    } else if (type == "fim") {
      EXPECT_GE(per_source[i], WindowsPaths(sources[i])) << "sources[" << i << "]";
    } else if (type == "winevent") {
      EXPECT_EQ(per_source[i], 1) << "sources[" << i << "]";
    }
  }
}

TEST_P(WindowsSampleConfig, LoadsWithItsPathsMappedToThisHost) {
  testing::TempDir dir;
  YAML::Node root = YAML::LoadFile(path());
  MapWindowsPaths(root, dir.path());
  YAML::Node kept(YAML::NodeType::Sequence);
  int winevent = 0;
  for (const auto& s : root["sources"]) {
    if (SourceType(s) == "winevent") {
      ++winevent;
      continue;
    }
    kept.push_back(s);
  }
  root["sources"] = kept;
  EXPECT_EQ(winevent, 1);
  std::ostringstream text;
  text << root << "\n";
  const std::string mapped = dir.Write("agent.yaml", text.str());

  auto c = LoadAgentConfig(mapped);
  ASSERT_TRUE(c.ok()) << c.status() << "\n" << text.str();
  EXPECT_TRUE(c->warnings.empty());
  const std::string v15 = dir.path() + "/C/Program Files/Microsoft/Exchange Server/V15";
  EXPECT_EQ(c->data_dir, dir.path() + "/C/ProgramData/Tripline/data");
  EXPECT_EQ(c->spool.dir, c->data_dir + "/spool");
  EXPECT_EQ(c->topic, "tripline.events");
  EXPECT_EQ(c->kafka.properties.at("security.protocol"), "SSL");
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9464");

  const std::vector<std::pair<std::string, std::string>> files = {
      {"w3c", dir.path() + "/C/inetpub/logs/LogFiles/W3SVC*/u_ex*.log"},
      {"httpproxy", v15 + "/Logging/HttpProxy/*/*.LOG"},
      {"ecp", v15 + "/Logging/ECP/Server/*.LOG"},
      {"oab", v15 + "/Logging/OABGeneratorLog/*.LOG"},
  };
  ASSERT_EQ(c->file_sources.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(c->file_sources[i].format, files[i].first);
    EXPECT_EQ(c->file_sources[i].paths, std::vector<std::string>{files[i].second});
  }
  ASSERT_EQ(c->fim_sources.size(), 1u);
  const std::vector<std::string> roots = {
      v15 + "/FrontEnd/HttpProxy/owa/auth", v15 + "/FrontEnd/HttpProxy/ecp/auth",
      v15 + "/FrontEnd/HttpProxy/OAB", dir.path() + "/C/inetpub/wwwroot/aspnet_client"};
  EXPECT_EQ(c->fim_sources[0].roots, roots);
  const auto& ext = c->fim_sources[0].include_extensions;
  EXPECT_NE(std::find(ext.begin(), ext.end(), "aspx"), ext.end());
  EXPECT_FALSE(c->fim_sources[0].report_existing);
}

INSTANTIATE_TEST_SUITE_P(Exchange, WindowsSampleConfig,
                         ::testing::Values("agent-windows-exchange2016.yaml",
                                           "agent-windows-exchange2019.yaml"),
                         [](const auto& info) {
                           return std::string(info.param).find("2016") != std::string::npos
                                      ? "Exchange2016"
                                      : "Exchange2019";
                         });

}  // namespace
}  // namespace tripline::agent
