#include "agent/sources/host/unit_file.h"

namespace tripline::agent {
namespace {

std::string_view Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return {};
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

}  // namespace

void UnitFile::Apply(std::string_view text) {
  std::string section;
  std::string logical;  // a directive, continuation lines joined
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (logical.empty() && (line.empty() || line[0] == '#' || line[0] == ';')) continue;
    if (!line.empty() && line.back() == '\\') {
      logical.append(line.substr(0, line.size() - 1));
      logical += ' ';
      continue;
    }
    logical.append(line);
    std::string_view l = Trim(logical);
    if (l.size() >= 2 && l.front() == '[' && l.back() == ']') {
      section = std::string(l.substr(1, l.size() - 2));
      if (section == "Install") has_install_ = true;
    } else if (size_t eq = l.find('='); eq != std::string_view::npos) {
      Set(section, Trim(l.substr(0, eq)), Trim(l.substr(eq + 1)));
    }
    logical.clear();
  }
}

void UnitFile::Set(std::string_view section, std::string_view key, std::string_view value) {
  if (section == "Service") {
    if (key == "ExecStart") {
      if (value.empty()) {
        exec_start_.clear();
      } else {
        exec_start_.emplace_back(value);
      }
    } else if (key == "User") {
      user_ = std::string(value);
    }
  } else if (section == "Unit" && key == "Description") {
    description_ = std::string(value);
  } else if (section == "Install" && (key == "WantedBy" || key == "RequiredBy")) {
    if (value.empty()) return;
    if (!wanted_by_.empty()) wanted_by_ += ' ';
    wanted_by_.append(value);
  }
}

void UnitFile::ApplySysvScript(std::string_view text) {
  constexpr std::string_view kKey = "# Short-Description:";
  size_t at = text.find(kKey);
  if (at == std::string_view::npos) return;
  std::string_view rest = text.substr(at + kKey.size());
  description_ = std::string(Trim(rest.substr(0, rest.find('\n'))));
}

std::string UnitFile::executable() const {
  std::string_view cmd = exec_start_.empty() ? std::string_view() : exec_start_.front();
  while (!cmd.empty() && std::string_view("@-:+!").find(cmd.front()) != std::string_view::npos) {
    cmd.remove_prefix(1);
  }
  cmd = Trim(cmd);
  if (!cmd.empty() && (cmd.front() == '"' || cmd.front() == '\'')) {
    size_t close = cmd.find(cmd.front(), 1);
    return std::string(cmd.substr(1, close == std::string_view::npos ? cmd.npos : close - 1));
  }
  return std::string(cmd.substr(0, cmd.find_first_of(" \t")));
}

}  // namespace tripline::agent
