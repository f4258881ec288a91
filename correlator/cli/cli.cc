#include "correlator/cli/cli.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "agent/parsers/parser.h"
#include "correlator/api/agents_list.h"
#include "correlator/api/alerts_show.h"
#include "correlator/api/alerts_tail.h"
#include "correlator/cli/hunt.h"
#include "correlator/cli/rules_check.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"

#ifndef TRIPLINE_DEFAULT_FIELD_MAP
#define TRIPLINE_DEFAULT_FIELD_MAP "/etc/tripline/field_map.yaml"
#endif

namespace tripline::correlator::cli {
namespace {

constexpr int kUsageError = 2;
std::atomic<bool> g_stop_tail{false};  // set by SIGINT/SIGTERM during `alerts tail`
constexpr char kInstalledFieldMap[] = "/etc/tripline/field_map.yaml";

// Loads the field map; every problem goes to `err`. False when it has any (a partial map would
// reject rules for reasons that are not theirs).
bool LoadFieldMap(const std::string& flag, engine::FieldMap* map, std::ostream& err) {
  std::string path = ResolveFieldMapPath(flag);
  std::vector<std::string> errors;
  *map = engine::FieldMap::LoadFile(path, &errors);
  for (const std::string& e : errors) err << e << "\n";
  if (!errors.empty()) err << "tripline: the field map " << path << " has errors\n";
  return errors.empty();
}

int Hunt(const HuntOptions& options, const std::vector<std::string>& rule_paths,
         const std::string& field_map_flag, std::ostream& out, std::ostream& err) {
  engine::FieldMap field_map;
  if (!LoadFieldMap(field_map_flag, &field_map, err)) return kUsageError;
  engine::RuleLoader loader(&field_map);
  engine::LoadResult loaded = loader.LoadPaths(rule_paths);
  // A big rule tree has hundreds of rules for logsources this field map does not serve: show a
  // sample; `tripline rules check` lists them all.
  constexpr size_t kShownProblems = 10;
  for (size_t i = 0; i < loaded.errors.size() && i < kShownProblems; ++i) {
    err << loaded.errors[i] << "\n";
  }
  if (loaded.errors.size() > kShownProblems) {
    err << "... and " << loaded.errors.size() - kShownProblems
        << " more (tripline rules check lists them all)\n";
  }
  if (!loaded.rules || loaded.rules->size() == 0) {
    err << "tripline hunt: no rule loaded\n";
    return kUsageError;
  }
  if (!loaded.errors.empty()) {
    err << "tripline hunt: " << loaded.errors.size() << " rule problems; running the "
        << loaded.rules->size() << " rules that loaded\n";
  }
  return RunHunt(options, loaded.rules, out, err);
}

// The flags of every command that talks to a correlator's gRPC API.
struct ApiFlags {
  std::string token_file;
};

void AddApiFlags(CLI::App* cmd, ApiClientConfig* api, ApiFlags* flags) {
  cmd->add_option("--server", api->server, "The correlator's api.listen address")
      ->capture_default_str();
  cmd->add_option("--ca", api->ca_file,
                  "CA certificate (PEM) that signed the correlator's api.tls certificate; "
                  "turns TLS on");
  cmd->add_option("--cert", api->cert_file, "Client certificate (PEM) for mTLS (with --key)");
  cmd->add_option("--key", api->key_file, "Client private key (PEM) for mTLS");
  cmd->add_option("--token-file", flags->token_file,
                  "File holding the API bearer token (api.token_file); default: the "
                  "TRIPLINE_API_TOKEN environment variable");
}

// The token from --token-file, else from TRIPLINE_API_TOKEN; false (reason in `err`) when the
// file cannot be read.
bool ResolveToken(const ApiFlags& flags, ApiClientConfig* api, std::ostream& err) {
  if (!flags.token_file.empty()) {
    auto token = ReadTokenFile(flags.token_file);
    if (!token.ok()) {
      err << "tripline: " << token.status().message() << "\n";
      return false;
    }
    api->token = *std::move(token);
  } else if (const char* env = std::getenv("TRIPLINE_API_TOKEN"); env != nullptr) {
    api->token = env;
  }
  return true;
}

}  // namespace

std::string ResolveFieldMapPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ec;
  if (std::filesystem::exists(kInstalledFieldMap, ec)) return kInstalledFieldMap;
  return TRIPLINE_DEFAULT_FIELD_MAP;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           bool err_is_tty) {
  CLI::App app("tripline: check Sigma rules, hunt through logs offline, follow a correlator's "
               "alerts and agents",
               "tripline");
  app.require_subcommand(1);
  std::string field_map_flag;

  CLI::App* rules = app.add_subcommand("rules", "Rule tools")->require_subcommand(1);
  CLI::App* check = rules->add_subcommand("check", "Load rules and report every problem");
  RulesCheckOptions check_options;
  check->add_option("paths", check_options.paths, "Rule files or folders")->required();
  check->add_option("--field-map", field_map_flag, "Field map YAML");
  check->add_flag("--json", check_options.json, "One JSON object instead of text");

  CLI::App* hunt = app.add_subcommand("hunt", "Run rules over log files offline");
  HuntOptions hunt_options;
  std::vector<std::string> rule_paths;
  hunt->add_option("paths", hunt_options.paths, "Log files or folders (recursive)")->required();
  hunt->add_option("--rules", rule_paths, "Rule file or folder")->required();
  hunt->add_option("--format", hunt_options.format, "Parser for non-EVTX files (default: detect)")
      ->check(CLI::IsMember(agent::ParserFormats()));
  hunt->add_option("--field-map", field_map_flag, "Field map YAML");
  hunt->add_flag("--json", hunt_options.json, "One JSON object per alert");
  std::string logsource_flag;
  hunt->add_option("--logsource", logsource_flag,
                   "Sigma logsource of the text logs, e.g. product=aws,service=cloudtrail "
                   "(default: derived from each record; EVTX records keep their channel's)");

  CLI::App* alerts = app.add_subcommand("alerts", "A running correlator's alerts")
                         ->require_subcommand(1);
  CLI::App* tail = alerts->add_subcommand(
      "tail", "Follow the live alert feed of a running correlator (gRPC AlertService)");
  AlertsTailOptions tail_options;
  ApiFlags api_flags;
  AddApiFlags(tail, &tail_options.api, &api_flags);
  tail->add_option("--min-severity", tail_options.min_severity,
                   "informational|low|medium|high|critical");
  tail->add_flag("--recent", tail_options.recent, "Show the recent alerts first");
  tail->add_flag("--json", tail_options.json, "One ECS JSON document per alert");
  tail->add_option("--limit", tail_options.limit, "Stop after this many alerts");
  CLI::App* show = alerts->add_subcommand(
      "show", "One alert of a running correlator with its whole evidence chain (GetAlert)");
  AlertsShowOptions show_options;
  show->add_option("alert-id", show_options.alert_id, "The alert id (alerts tail shows it)")
      ->required();
  AddApiFlags(show, &show_options.api, &api_flags);
  show->add_flag("--json", show_options.json, "The alert's ECS JSON document");

  CLI::App* agents = app.add_subcommand("agents", "The agents a correlator knows")
                         ->require_subcommand(1);
  CLI::App* agents_list = agents->add_subcommand(
      "list", "Agents registered with a running correlator: version, last seen, lag, spool, "
              "health (ok, degraded, silent)");
  AgentsListOptions list_options;
  AddApiFlags(agents_list, &list_options.api, &api_flags);
  agents_list->add_flag("--json", list_options.json, "One JSON document for machines");

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses a reversed list
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? 0 : kUsageError;
  }
  if (check->parsed()) {
    engine::FieldMap field_map;
    if (!LoadFieldMap(field_map_flag, &field_map, err)) return kUsageError;
    return RunRulesCheck(check_options, field_map, out);
  }
  const bool stdout_tty = ::isatty(::fileno(stdout)) != 0;
  if (show->parsed()) {
    if (!ResolveToken(api_flags, &show_options.api, err)) return kUsageError;
    show_options.color = !show_options.json && stdout_tty;
    return RunAlertsShow(show_options, out, err);
  }
  if (agents_list->parsed()) {
    if (!ResolveToken(api_flags, &list_options.api, err)) return kUsageError;
    list_options.color = !list_options.json && stdout_tty;
    return RunAgentsList(list_options, out, err);
  }
  if (tail->parsed()) {
    if (!ResolveToken(api_flags, &tail_options.api, err)) return kUsageError;
    tail_options.color = !tail_options.json && ::isatty(::fileno(stdout)) != 0;
    std::signal(SIGINT, [](int) { g_stop_tail = true; });
    std::signal(SIGTERM, [](int) { g_stop_tail = true; });
    return RunAlertsTail(tail_options, out, err, g_stop_tail);
  }
  hunt_options.progress = err_is_tty;
  if (!logsource_flag.empty()) {
    absl::StatusOr<v1::DeclaredLogsource> declared = ParseLogsourceFlag(logsource_flag);
    if (!declared.ok()) {
      err << "tripline hunt: " << declared.status().message() << "\n";
      return kUsageError;
    }
    hunt_options.logsource = *std::move(declared);
  }
  return Hunt(hunt_options, rule_paths, field_map_flag, out, err);
}

}  // namespace tripline::correlator::cli
