#pragma once

#include <string>

#include <CLI/CLI.hpp>

// `tripline-agent service install|uninstall|start|stop|status|reload`: the agent's Windows service
// managed through the service control manager (Windows builds only).
namespace tripline::agent::windows {

inline constexpr char kDefaultServiceName[] = "TriplineAgent";

// One `service ...` command line, as parsed.
struct ServiceCommand {
  enum class Action { kNone, kInstall, kUninstall, kStart, kStop, kStatus, kReload };
  Action action = Action::kNone;
  std::string name = kDefaultServiceName;  // the service name (`sc query <name>`)
  std::string display_name = "Tripline Agent";
  std::string config_path;  // install: the config the service reads; empty: DefaultConfigPath()
  std::string account;      // install: empty: LocalSystem; else an account without a password
  int timeout_s = 60;       // start, stop, uninstall: how long to wait for the new state
};

// Adds the `service` subcommand (and its own subcommands) to `app`; what is parsed lands in
// `*command`, which must outlive the parse. Returns the subcommand.
CLI::App* AddServiceCommand(CLI::App& app, ServiceCommand* command);

// Runs `command` against the local service control manager: what was done goes to stdout, a
// problem to stderr with the system's text for the Win32 error ("Access is denied" adds that the
// command needs an elevated prompt). Returns the process exit code (0: done).
//
// install: CreateServiceW, own process, automatic start (delayed, so that the network and the
//   Exchange services are up), as LocalSystem (it reads the Security channel and the Exchange
//   folders) or --account (a virtual account `NT SERVICE\<name>`, LocalService, NetworkService or
//   a gMSA `DOMAIN\name$`: accounts with a password are set in services.msc afterwards). The
//   command line is this executable, quoted, `--service --config "<absolute config path>"`.
//   Recovery: restart after 5 s, 10 s, 60 s, failure count reset after a day, also when the
//   agent exits with a non-zero code (SERVICE_CONFIG_FAILURE_ACTIONS_FLAG); preshutdown timeout
//   30 s, for the drain at system shutdown. A half-configured service is deleted again.
// uninstall: stops the service if it runs, then deletes it. Data and config are kept.
// start / stop: and wait up to --timeout for RUNNING / STOPPED (a failed start prints the
//   agent's exit code and what it means).
// status: state, process id, start type, account, command line, last exit code.
// reload: sends kServiceControlReload (re-reads the sources, as SIGHUP on Linux).
//
// Threads: the caller's; blocking (it waits for the service).
int RunServiceCommand(const ServiceCommand& command);

}  // namespace tripline::agent::windows
