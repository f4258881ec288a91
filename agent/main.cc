// tripline-agent: collects what an Exchange (or any IIS) host writes and ships it to Kafka.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "agent/agent.h"
#include "common/logging.h"
#include "common/signals.h"

namespace {

constexpr int kExitConfig = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tripline-agent: tails IIS and Exchange logs on this host, turns every record into a "
      "Tripline Event and ships it to Kafka, at least once. Stops cleanly on SIGINT/SIGTERM; SIGHUP reloads the sources without losing positions."};
  std::string config_path;
  bool check_only = false;
  std::string log_level;
  app.add_option("-c,--config", config_path, "agent YAML config (see config/agent.yaml)")
      ->required();
  app.add_flag("--check-config", check_only, "validate the config, print problems, exit");
  app.add_option("--log-level", log_level, "override log.level: trace|debug|info|warn|error");
  app.set_version_flag("--version", "tripline-agent 0.1.0");
  CLI11_PARSE(app, argc, argv);

  auto config = tripline::agent::LoadAgentConfig(config_path);
  if (!config.ok()) {
    std::cerr << "tripline-agent: invalid config:\n" << config.status().message();
    return kExitConfig;
  }
  if (check_only) {
    for (const auto& w : config->warnings) std::cerr << "warning: " << w << "\n";
    std::cout << config_path << ": OK\n";
    return 0;
  }
  if (!log_level.empty()) config->log_level = log_level;
  if (auto st = tripline::SetupLogging("agent", config->log_level, config->log_format); !st.ok()) {
    std::cerr << "tripline-agent: " << st.message() << "\n";
    return kExitConfig;
  }
  for (const auto& w : config->warnings) spdlog::warn("config: {}", w);
  tripline::StopSignal::Install();
  auto agent = tripline::agent::Agent::Create(*config, config_path);
  if (!agent.ok()) {
    spdlog::error("cannot start: {}", agent.status().ToString());
    return 1;
  }
  absl::Status st = (*agent)->Run();
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}
