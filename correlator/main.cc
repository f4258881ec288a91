// tripline-correlator: runs detection rules over the Tripline event stream as a Kafka consumer
// group member and raises alerts.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "common/logging.h"
#include "common/signals.h"
#include "correlator/correlator.h"
#include "correlator/rules.h"

namespace {

constexpr int kExitConfig = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "tripline-correlator: consumes Tripline events from Kafka as a consumer group member, runs "
      "the Sigma rules it is given and writes alerts to a JSON lines file and the alerts topic. "
      "Stops cleanly on SIGINT/SIGTERM."};
  std::string config_path;
  bool check_only = false;
  std::string log_level;
  app.add_option("-c,--config", config_path, "correlator YAML config (see config/correlator.yaml)")
      ->required();
  app.add_flag("--check-config", check_only,
               "validate the config and compile the rules, print problems, exit");
  app.add_option("--log-level", log_level, "override log.level: trace|debug|info|warn|error");
  app.set_version_flag("--version", "tripline-correlator 0.1.0");
  CLI11_PARSE(app, argc, argv);

  auto config = tripline::correlator::LoadCorrelatorConfig(config_path);
  if (!config.ok()) {
    std::cerr << "tripline-correlator: invalid config:\n" << config.status().message();
    return kExitConfig;
  }
  if (!log_level.empty()) config->log_level = log_level;
  if (auto st = tripline::SetupLogging("correlator", config->log_level, config->log_format);
      !st.ok()) {
    std::cerr << "tripline-correlator: " << st.message() << "\n";
    return kExitConfig;
  }
  auto rules = tripline::correlator::LoadConfiguredRules(*config);
  if (!rules.ok()) {
    std::cerr << "tripline-correlator: invalid rules:\n" << rules.status().message();
    return kExitConfig;
  }
  if (check_only) {
    for (const auto& w : config->warnings) std::cerr << "warning: " << w << "\n";
    std::cout << config_path << ": OK, " << (*rules)->size() << " rule(s)\n";
    return 0;
  }
  for (const auto& w : config->warnings) spdlog::warn("config: {}", w);
  tripline::StopSignal::Install();
  auto correlator = tripline::correlator::Correlator::Create(*config, *rules);
  if (!correlator.ok()) {
    spdlog::error("cannot start: {}", correlator.status().ToString());
    return 1;
  }
  absl::Status st = (*correlator)->Run();
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}
