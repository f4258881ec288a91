// tripline-agent: collects what an Exchange (or any IIS) host writes and ships it to Kafka.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <functional>
#include <iostream>

#include "agent/agent.h"
#include "common/logging.h"
#include "common/signals.h"
#ifdef _WIN32
#include "agent/platform/windows/known_paths.h"
#include "agent/platform/windows/service_control.h"
#include "agent/platform/windows/service_host.h"
#endif

namespace {

constexpr int kExitConfig = 2;  // agent/platform/windows/service_control.cc explains it

#ifdef _WIN32
constexpr char kAbout[] =
    "tripline-agent: tails IIS and Exchange logs on this host, turns every record into a "
    "Tripline Event and ships it to Kafka, at least once. Ctrl+C stops it cleanly. As a Windows "
    "service (`service install`; the `service` subcommand is in the Windows build only) it stops "
    "on the service's stop control, and `service reload` reloads the sources without losing "
    "positions.";
#else
constexpr char kAbout[] =
    "tripline-agent: tails IIS and Exchange logs on this host, turns every record into a "
    "Tripline Event and ships it to Kafka, at least once. Stops cleanly on SIGINT/SIGTERM; SIGHUP "
    "reloads the sources without losing positions.";
#endif

struct Options {
  std::string config_path;
  bool check_only = false;
  std::string log_level;
};

// Who runs the agent: a console (signals, or Windows console events, stop it) or the Windows
// service host (service controls stop it; `started` tells the service manager it runs).
struct Host {
  bool console = true;
  std::function<void()> started;
};

// Loads the config and runs the agent until a stop is requested. Returns the process exit code:
// 0 after a clean stop, 1 on an error, kExitConfig for a bad config.
int RunAgent(const Options& options, const Host& host) {
  const std::string& config_path = options.config_path;
  auto config = tripline::agent::LoadAgentConfig(config_path);
  if (!config.ok()) {
    std::cerr << "tripline-agent: invalid config:\n" << config.status().message();
    return kExitConfig;
  }
  if (options.check_only) {
    for (const auto& w : config->warnings) std::cerr << "warning: " << w << "\n";
    std::cout << config_path << ": OK\n";
    return 0;
  }
  if (!options.log_level.empty()) config->log_level = options.log_level;
  if (auto st = tripline::SetupLogging("agent", config->log_level, config->log_format); !st.ok()) {
    std::cerr << "tripline-agent: " << st.message() << "\n";
    return kExitConfig;
  }
  for (const auto& w : config->warnings) spdlog::warn("config: {}", w);
  if (host.console) tripline::StopSignal::Install();
  auto agent = tripline::agent::Agent::Create(*config, config_path);
  if (!agent.ok()) {
    spdlog::error("cannot start: {}", agent.status().ToString());
    return 1;
  }
  if (host.started) host.started();
  absl::Status st = (*agent)->Run();
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kAbout};
  Options options;
  CLI::Option* config_option = app.add_option("-c,--config", options.config_path,
                                              "agent YAML config (see config/agent.yaml)");
#ifdef _WIN32
  namespace win = tripline::agent::windows;
  options.config_path = win::DefaultConfigPath();
  config_option->capture_default_str();
  bool as_service = false;
  app.add_flag("--service", as_service, "run as the Windows service (given by `service install`)")
      ->group("");  // hidden: the service manager passes it
  win::ServiceCommand service;
  win::AddServiceCommand(app, &service);
#else
  config_option->required();
#endif
  app.add_flag("--check-config", options.check_only, "validate the config, print problems, exit");
  app.add_option("--log-level", options.log_level,
                 "override log.level: trace|debug|info|warn|error");
  app.set_version_flag("--version", "tripline-agent 0.1.0");
  CLI11_PARSE(app, argc, argv);
#ifdef _WIN32
  if (service.action != win::ServiceCommand::Action::kNone) return win::RunServiceCommand(service);
  if (as_service) {
    absl::StatusOr<int> code = win::RunAsService([&options](const std::function<void()>& started) {
      return RunAgent(options, Host{.console = false, .started = started});
    });
    if (!code.ok()) {
      std::cerr << "tripline-agent: " << code.status().message() << "\n";
      return 1;
    }
    return *code;
  }
#endif
  return RunAgent(options, Host{});
}
