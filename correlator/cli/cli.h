#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tripline::correlator::cli {

// The field map `tripline` uses: `flag` when given; else /etc/tripline/field_map.yaml when it
// exists; else the repository's config/field_map.yaml (TRIPLINE_DEFAULT_FIELD_MAP, set at build
// time) so that a developer build works from anywhere.
std::string ResolveFieldMapPath(const std::string& flag);

// The `tripline` command: `rules check <paths...>` and `hunt <paths...> --rules ...`.
// `args` excludes the program name. Output goes to `out`, diagnostics to `err`; `err_is_tty`
// enables the hunt progress bar. Returns the process exit code: 2 for usage errors (and for a
// field map that cannot be loaded), otherwise the subcommand's. Runs on the caller's thread.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           bool err_is_tty = false);

}  // namespace tripline::correlator::cli
