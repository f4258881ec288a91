#include "agent/platform/windows/service_control.h"

#include <windows.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/platform/windows/known_paths.h"
#include "agent/platform/windows/service_host.h"
#include "common/platform/file.h"
#include "common/status.h"

namespace tripline::agent::windows {
namespace {

using platform::Narrow;
using platform::Widen;
using Action = ServiceCommand::Action;

// An SC_HANDLE, closed when destroyed. Move-only, one owner, any thread.
class ScHandle {
 public:
  explicit ScHandle(SC_HANDLE handle) : handle_(handle) {}
  ScHandle(ScHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ScHandle& operator=(ScHandle&&) = delete;
  ScHandle(const ScHandle&) = delete;
  ~ScHandle() {
    if (handle_ != nullptr) CloseServiceHandle(handle_);
  }
  SC_HANDLE get() const { return handle_; }

 private:
  SC_HANDLE handle_;
};

absl::Status Win32Status(const std::string& what, DWORD err) {
  std::string message = what + ": " + platform::Win32ErrorText(err);
  if (err == ERROR_ACCESS_DENIED) {
    return absl::PermissionDeniedError(message +
                                       "; run this from an elevated prompt (Run as administrator)");
  }
  return absl::InternalError(message);
}

absl::StatusOr<ScHandle> OpenManager(DWORD access) {
  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, access);
  if (scm == nullptr) return Win32Status("service control manager", GetLastError());
  return ScHandle(scm);
}

absl::StatusOr<ScHandle> OpenAgentService(const std::string& name, DWORD access) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle scm, OpenManager(SC_MANAGER_CONNECT));
  SC_HANDLE service = OpenServiceW(scm.get(), Widen(name).c_str(), access);
  if (service == nullptr) {
    DWORD err = GetLastError();
    if (err == ERROR_SERVICE_DOES_NOT_EXIST) {
      return absl::NotFoundError("service '" + name +
                                 "' is not installed (tripline-agent service install)");
    }
    return Win32Status("service '" + name + "'", err);
  }
  return ScHandle(service);
}

absl::StatusOr<SERVICE_STATUS_PROCESS> Query(SC_HANDLE service) {
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                            sizeof status, &needed)) {
    return Win32Status("cannot query the service", GetLastError());
  }
  return status;
}

std::string StateName(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED:
      return "STOPPED";
    case SERVICE_START_PENDING:
      return "START_PENDING";
    case SERVICE_STOP_PENDING:
      return "STOP_PENDING";
    case SERVICE_RUNNING:
      return "RUNNING";
    case SERVICE_PAUSED:
      return "PAUSED";
    default:
      return "state " + std::to_string(state);
  }
}

// Why the agent's process ended, from its last status: the exit codes are agent/main.cc's.
std::string ExitText(const SERVICE_STATUS_PROCESS& status) {
  if (status.dwWin32ExitCode == NO_ERROR) return "exit code 0";
  if (status.dwWin32ExitCode != ERROR_SERVICE_SPECIFIC_ERROR) {
    return platform::Win32ErrorText(status.dwWin32ExitCode);
  }
  const DWORD code = status.dwServiceSpecificExitCode;
  const std::string log = ServiceLogPath();
  if (code == 2) {
    return "exit code 2: the config is invalid; the problems are listed in " + log +
           " (or run: tripline-agent --check-config -c <config>)";
  }
  return "exit code " + std::to_string(code) + ": the agent stopped on an error; see " + log;
}

// Polls until the service is in `target` or STOPPED (which ends every wait), or `timeout` passed;
// returns the last status either way.
absl::StatusOr<SERVICE_STATUS_PROCESS> WaitFor(SC_HANDLE service, DWORD target, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    TRIPLINE_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS status, Query(service));
    if (status.dwCurrentState == target || status.dwCurrentState == SERVICE_STOPPED ||
        std::chrono::steady_clock::now() >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

absl::StatusOr<std::wstring> ExecutablePath() {
  std::wstring path(MAX_PATH, L'\0');
  while (true) {
    DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n == 0) return Win32Status("cannot find this executable's path", GetLastError());
    if (n < path.size()) {
      path.resize(n);
      return path;
    }
    path.resize(path.size() * 2);  // truncated: a long path (\\?\...)
  }
}

// Description, delayed start, recovery and preshutdown time of a new service.
absl::Status Configure(SC_HANDLE service, const std::wstring& config) {
  std::wstring text = L"Ships IIS, Exchange and Windows event logs to Kafka (Tripline). Config: " +
                      config + L". Log: " + Widen(ServiceLogPath());
  SERVICE_DESCRIPTIONW description{text.data()};
  // Delayed: the agent needs the network and reads what Exchange writes, so it starts after
  // the automatic services instead of slowing the boot.
  SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
  SC_ACTION restarts[] = {
      {SC_ACTION_RESTART, 5'000}, {SC_ACTION_RESTART, 10'000}, {SC_ACTION_RESTART, 60'000}};
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = 24 * 60 * 60;  // seconds without a failure before the count restarts
  failure.cActions = 3;
  failure.lpsaActions = restarts;
  // Without this, only a crash counts as a failure; an agent that exits with an error code (a
  // fatal spool error, say) would stay stopped.
  SERVICE_FAILURE_ACTIONS_FLAG on_error_exit{TRUE};
  // At system shutdown the agent gets this long to drain (agent.shutdown_timeout_ms) and save
  // its positions; what it does not send stays in the spool.
  SERVICE_PRESHUTDOWN_INFO preshutdown{30'000};
  struct Setting {
    DWORD level;
    void* info;
    const char* what;
    bool required;  // without it the service is not what `install` promises: roll back
  };
  const Setting settings[] = {
      {SERVICE_CONFIG_FAILURE_ACTIONS, &failure, "recovery actions", true},
      {SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &on_error_exit, "recovery on error exit", true},
      {SERVICE_CONFIG_DESCRIPTION, &description, "description", false},
      {SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed, "delayed automatic start", false},
      {SERVICE_CONFIG_PRESHUTDOWN_INFO, &preshutdown, "preshutdown timeout", false},
  };
  for (const Setting& s : settings) {
    if (ChangeServiceConfig2W(service, s.level, s.info)) continue;
    const DWORD err = GetLastError();
    absl::Status st = Win32Status(std::string("cannot set the service's ") + s.what, err);
    // ERROR_INVALID_LEVEL: a system without that setting at all (every supported Windows has
    // them; Wine, where the agent is tested, lacks some). Said, not fatal.
    if (s.required && err != ERROR_INVALID_LEVEL) return st;
    std::cerr << "warning: " << st.message() << "\n";
  }
  return absl::OkStatus();
}

absl::Status Install(const ServiceCommand& c) {
  std::error_code ec;
  std::filesystem::path config = std::filesystem::absolute(
      Widen(c.config_path.empty() ? DefaultConfigPath() : c.config_path), ec);
  if (ec) return absl::InvalidArgumentError("--config: " + ec.message());
  config = config.lexically_normal();  // the service starts in System32: never relative
  TRIPLINE_ASSIGN_OR_RETURN(std::wstring exe, ExecutablePath());
  std::wstring command = L"\"" + exe + L"\" --service --config \"" + config.wstring() + L"\"";
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle scm,
                            OpenManager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE));
  std::wstring account = Widen(c.account);
  SC_HANDLE created = CreateServiceW(
      scm.get(), Widen(c.name).c_str(), Widen(c.display_name).c_str(),
      SERVICE_CHANGE_CONFIG | SERVICE_START | SERVICE_QUERY_STATUS | DELETE,
      SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, command.c_str(), nullptr,
      nullptr, nullptr, account.empty() ? nullptr : account.c_str(), nullptr);
  if (created == nullptr) {
    DWORD err = GetLastError();
    if (err == ERROR_SERVICE_EXISTS) {
      return absl::AlreadyExistsError("service '" + c.name +
                                      "' is already installed (uninstall it first, or --name)");
    }
    return Win32Status("cannot create service '" + c.name + "'", err);
  }
  ScHandle service(created);
  if (absl::Status st = Configure(service.get(), config.wstring()); !st.ok()) {
    DeleteService(service.get());  // no half-configured service left behind
    return st;
  }
  std::cout << "installed service " << c.name << " (" << c.display_name << "), automatic "
            << "(delayed) start as " << (c.account.empty() ? "LocalSystem" : c.account)
            << ", restarted on failure\n  command: " << Narrow(command) << "\n";
  if (!std::filesystem::exists(config, ec)) {
    std::cout << "  note: " << Narrow(config.wstring()) << " does not exist yet; write it "
              << "(see config/agent-windows-exchange2019.yaml) before starting the service\n";
  }
  std::cout << "start it with: tripline-agent service start --name " << c.name << "\n";
  return absl::OkStatus();
}

// Asks a running service to stop (the agent's ordered stop) and waits for STOPPED.
absl::Status StopAndWait(SC_HANDLE service, const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS status, Query(service));
  if (status.dwCurrentState == SERVICE_STOPPED) {
    std::cout << "service " << c.name << " is not running\n";
    return absl::OkStatus();
  }
  if (status.dwCurrentState == SERVICE_START_PENDING) {
    // The SCM refuses a stop while the agent starts: let it come up first.
    TRIPLINE_ASSIGN_OR_RETURN(status, WaitFor(service, SERVICE_RUNNING, c.timeout_s));
  }
  if (status.dwCurrentState != SERVICE_STOP_PENDING && status.dwCurrentState != SERVICE_STOPPED) {
    SERVICE_STATUS ignored{};
    if (!ControlService(service, SERVICE_CONTROL_STOP, &ignored)) {
      DWORD err = GetLastError();
      if (err != ERROR_SERVICE_NOT_ACTIVE) {
        return Win32Status("cannot stop service '" + c.name + "'", err);
      }
    }
  }
  std::cout << "stopping service " << c.name << " (it first sends what its spool holds)...\n";
  TRIPLINE_ASSIGN_OR_RETURN(status, WaitFor(service, SERVICE_STOPPED, c.timeout_s));
  if (status.dwCurrentState != SERVICE_STOPPED) {
    return absl::DeadlineExceededError("service '" + c.name + "' is still " +
                                       StateName(status.dwCurrentState) + " after " +
                                       std::to_string(c.timeout_s) + " s (--timeout)");
  }
  std::cout << "service " << c.name << " stopped (" << ExitText(status) << ")\n";
  return absl::OkStatus();
}

absl::Status Uninstall(const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle service,
                            OpenAgentService(c.name, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
  TRIPLINE_RETURN_IF_ERROR(StopAndWait(service.get(), c));
  if (!DeleteService(service.get())) {
    DWORD err = GetLastError();
    if (err == ERROR_SERVICE_MARKED_FOR_DELETE) {
      return absl::FailedPreconditionError(
          "service '" + c.name +
          "' is already marked for deletion: it goes once every program "
          "holding it open (services.msc, Event Viewer, sc.exe) is closed");
    }
    return Win32Status("cannot delete service '" + c.name + "'", err);
  }
  std::cout << "removed service " << c.name << "; config, spool and positions under "
            << TriplineDir() << " are kept\n";
  return absl::OkStatus();
}

absl::Status Start(const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle service,
                            OpenAgentService(c.name, SERVICE_START | SERVICE_QUERY_STATUS));
  if (!StartServiceW(service.get(), 0, nullptr)) {
    DWORD err = GetLastError();
    if (err == ERROR_SERVICE_ALREADY_RUNNING) {
      std::cout << "service " << c.name << " is already running\n";
      return absl::OkStatus();
    }
    if (err == ERROR_SERVICE_LOGON_FAILED) {
      return Win32Status("service '" + c.name +
                             "' cannot log on (set the account's password in "
                             "services.msc, or reinstall with another --account)",
                         err);
    }
    return Win32Status("cannot start service '" + c.name + "'", err);
  }
  TRIPLINE_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS status,
                            WaitFor(service.get(), SERVICE_RUNNING, c.timeout_s));
  if (status.dwCurrentState == SERVICE_STOPPED) {
    return absl::AbortedError("service '" + c.name +
                              "' stopped while starting: " + ExitText(status));
  }
  if (status.dwCurrentState != SERVICE_RUNNING) {
    // Not an error: a first start may hash a large FIM baseline before it reports RUNNING.
    std::cout << "service " << c.name << " is still " << StateName(status.dwCurrentState)
              << " after " << c.timeout_s << " s; follow it with: tripline-agent service status\n";
    return absl::OkStatus();
  }
  std::cout << "service " << c.name << " is running (pid " << status.dwProcessId
            << "); log: " << ServiceLogPath() << "\n";
  return absl::OkStatus();
}

absl::Status Stop(const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle service,
                            OpenAgentService(c.name, SERVICE_STOP | SERVICE_QUERY_STATUS));
  return StopAndWait(service.get(), c);
}

std::string StartType(SC_HANDLE service, DWORD start_type) {
  switch (start_type) {
    case SERVICE_AUTO_START: {
      SERVICE_DELAYED_AUTO_START_INFO delayed{};
      DWORD needed = 0;
      bool is_delayed =
          QueryServiceConfig2W(service, SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
                               reinterpret_cast<BYTE*>(&delayed), sizeof delayed, &needed) &&
          delayed.fDelayedAutostart;
      return is_delayed ? "automatic (delayed)" : "automatic";
    }
    case SERVICE_DEMAND_START:
      return "manual";
    case SERVICE_DISABLED:
      return "disabled";
    default:
      return "type " + std::to_string(start_type);
  }
}

absl::Status ShowStatus(const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle service,
                            OpenAgentService(c.name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG));
  TRIPLINE_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS status, Query(service.get()));
  DWORD needed = 0;
  QueryServiceConfigW(service.get(), nullptr, 0, &needed);  // fails, telling the size
  std::vector<BYTE> buf(needed);
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data());
  if (needed == 0 || !QueryServiceConfigW(service.get(), config, needed, &needed)) {
    return Win32Status("cannot read the service's configuration", GetLastError());
  }
  std::cout << "service " << c.name << " (" << Narrow(config->lpDisplayName)
            << "): " << StateName(status.dwCurrentState);
  if (status.dwProcessId != 0) std::cout << ", pid " << status.dwProcessId;
  std::cout << "\n  start:   " << StartType(service.get(), config->dwStartType)
            << "\n  account: " << Narrow(config->lpServiceStartName)
            << "\n  command: " << Narrow(config->lpBinaryPathName)
            << "\n  log:     " << ServiceLogPath() << "\n";
  if (status.dwCurrentState == SERVICE_STOPPED) {
    std::cout << "  last:    " << ExitText(status) << "\n";
  }
  return absl::OkStatus();
}

absl::Status Reload(const ServiceCommand& c) {
  TRIPLINE_ASSIGN_OR_RETURN(ScHandle service,
                            OpenAgentService(c.name, SERVICE_USER_DEFINED_CONTROL));
  SERVICE_STATUS ignored{};
  if (!ControlService(service.get(), kServiceControlReload, &ignored)) {
    DWORD err = GetLastError();
    if (err == ERROR_SERVICE_NOT_ACTIVE) {
      return absl::FailedPreconditionError("service '" + c.name + "' is not running");
    }
    return Win32Status("cannot send the reload control to '" + c.name + "'", err);
  }
  std::cout << "reload requested: service " << c.name << " re-reads its sources from the config "
            << "(the result is in " << ServiceLogPath() << ")\n";
  return absl::OkStatus();
}

}  // namespace

CLI::App* AddServiceCommand(CLI::App& app, ServiceCommand* command) {
  CLI::App* service = app.add_subcommand(
      "service",
      "Windows service (Windows build only): install, uninstall, start, stop, status, reload");
  service->require_subcommand(1);
  auto add = [&](const char* name, const char* help, Action action) {
    CLI::App* sub = service->add_subcommand(name, help);
    sub->add_option("--name", command->name, "service name")->capture_default_str();
    sub->callback([command, action] { command->action = action; });
    return sub;
  };
  CLI::App* install = add("install",
                          "register the agent as an automatic (delayed) service, restarted on "
                          "failure; run from an elevated prompt",
                          Action::kInstall);
  install->add_option("-c,--config", command->config_path,
                      "agent YAML config the service reads (default: " + DefaultConfigPath() + ")");
  install->add_option("--display-name", command->display_name, "name shown in services.msc")
      ->capture_default_str();
  install->add_option("--account", command->account,
                      "run as this account instead of LocalSystem: NT SERVICE\\<name>, "
                      "NT AUTHORITY\\LocalService, or a gMSA DOMAIN\\name$ (it must be able to "
                      "read the Security channel and the Exchange logs)");
  for (auto [name, help, action] :
       {std::tuple{"uninstall", "stop the service if it runs, then remove it (data is kept)",
                   Action::kUninstall},
        std::tuple{"start", "start the service and wait until it runs", Action::kStart},
        std::tuple{"stop", "stop the service (ordered: drain, save positions) and wait",
                   Action::kStop}}) {
    add(name, help, action)
        ->add_option("--timeout", command->timeout_s, "seconds to wait")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
  }
  add("status", "state, start type, account, command line and last exit code", Action::kStatus);
  add("reload", "re-read the sources from the config (as SIGHUP on Linux)", Action::kReload);
  return service;
}

int RunServiceCommand(const ServiceCommand& command) {
  SetConsoleOutputCP(CP_UTF8);  // paths and the system's error texts are printed as UTF-8
  absl::Status st;
  switch (command.action) {
    case Action::kInstall:
      st = Install(command);
      break;
    case Action::kUninstall:
      st = Uninstall(command);
      break;
    case Action::kStart:
      st = Start(command);
      break;
    case Action::kStop:
      st = Stop(command);
      break;
    case Action::kStatus:
      st = ShowStatus(command);
      break;
    case Action::kReload:
      st = Reload(command);
      break;
    case Action::kNone:
      st = absl::InvalidArgumentError("name an action (see --help)");
      break;
  }
  if (st.ok()) return 0;
  std::cerr << "tripline-agent service: " << st.message() << "\n";
  return 1;
}

}  // namespace tripline::agent::windows
