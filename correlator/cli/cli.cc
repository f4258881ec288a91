#include "correlator/cli/cli.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "agent/parsers/parser.h"
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

}  // namespace

std::string ResolveFieldMapPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  std::error_code ec;
  if (std::filesystem::exists(kInstalledFieldMap, ec)) return kInstalledFieldMap;
  return TRIPLINE_DEFAULT_FIELD_MAP;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           bool err_is_tty) {
  CLI::App app("tripline: check Sigma rules, hunt through logs offline, follow a correlator's alerts",
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
  tail->add_option("--server", tail_options.server, "The correlator's api.listen address")
      ->capture_default_str();
  tail->add_option("--min-severity", tail_options.min_severity,
                   "informational|low|medium|high|critical");
  tail->add_flag("--recent", tail_options.recent, "Show the recent alerts first");
  tail->add_flag("--json", tail_options.json, "One ECS JSON document per alert");
  tail->add_option("--limit", tail_options.limit, "Stop after this many alerts");

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
  if (tail->parsed()) {
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
