#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tripline::agent {

// What Tripline needs from a systemd unit file (and its drop-ins), or from a SysV init script.
//
// systemd syntax handled: sections, comments (# and ;), line continuation with a trailing
// backslash, repeated keys (ExecStart= with an empty value resets the list, as systemd does),
// the ExecStart prefixes @ - : + ! !!, and a quoted program path. Drop-ins are applied by calling
// Apply() again with their text, in the order systemd reads them. Value type; any thread.
class UnitFile {
 public:
  // Applies the directives of one file's text over what is already known.
  void Apply(std::string_view text);
  // Reads the LSB header of a SysV init script (Short-Description).
  void ApplySysvScript(std::string_view text);

  // The first ExecStart= command line, or "".
  std::string exec_start() const { return exec_start_.empty() ? "" : exec_start_.front(); }
  // The program of the first ExecStart=, without prefixes or quotes.
  std::string executable() const;
  const std::string& user() const { return user_; }
  const std::string& description() const { return description_; }
  // WantedBy= and RequiredBy= targets, space separated.
  const std::string& wanted_by() const { return wanted_by_; }
  bool has_install_section() const { return has_install_; }

 private:
  void Set(std::string_view section, std::string_view key, std::string_view value);

  std::vector<std::string> exec_start_;
  std::string user_;
  std::string description_;
  std::string wanted_by_;
  bool has_install_ = false;
};

}  // namespace tripline::agent
