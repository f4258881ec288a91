// The `tripline` command: offline rule checking and hunting (correlator/cli/cli.h).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "common/logging.h"
#include "correlator/cli/cli.h"

int main(int argc, char** argv) {
  // Source warnings (unreadable lines, broken EVTX chunks) go to stderr so that stdout holds
  // only results (--json is piped into jq and the like).
  absl::Status logging = tripline::SetupLogging("tripline", "warn", "text");
  if (!logging.ok()) std::cerr << "tripline: " << logging.ToString() << "\n";
  std::vector<std::string> args(argv + 1, argv + argc);
  return tripline::correlator::cli::RunCli(args, std::cout, std::cerr,
                                           ::isatty(::fileno(stderr)) != 0);
}
