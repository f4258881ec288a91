#include "agent/parsers/exchange_csv/ecp_event_data.h"

#include <cctype>

namespace tripline::agent {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Length of the identifier at v[pos], 0 if none.
size_t IdentifierAt(std::string_view v, size_t pos) {
  if (pos >= v.size() || !(std::isalpha(static_cast<unsigned char>(v[pos])) || v[pos] == '_')) {
    return 0;
  }
  size_t end = pos;
  while (end < v.size() && IsIdentChar(v[end])) ++end;
  return end - pos;
}

// Whether v[pos] starts `.Name=`, the boundary of the next parameter.
bool IsParameterStart(std::string_view v, size_t pos) {
  if (pos >= v.size() || v[pos] != '.') return false;
  size_t len = IdentifierAt(v, pos + 1);
  return len > 0 && pos + 1 + len < v.size() && v[pos + 1 + len] == '=';
}

// Reads '...' starting at v[pos] == '\'' with '' for '. Returns the position after the closing
// quote, or npos if unterminated.
size_t ReadSingleQuoted(std::string_view v, size_t pos, std::string& out) {
  out.clear();
  for (size_t i = pos + 1; i < v.size(); ++i) {
    if (v[i] != '\'') {
      out.push_back(v[i]);
    } else if (i + 1 < v.size() && v[i + 1] == '\'') {
      out.push_back('\'');
      ++i;
    } else {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

void AddPair(std::string_view pair, std::vector<EcpPair>& out) {
  size_t eq = pair.find('=');
  std::string_view key = pair.substr(0, eq);
  if (key.substr(0, 2) == "S:") key.remove_prefix(2);
  std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  out.push_back({std::string(key), std::string(value)});
}

// Reads one parameter value at cmd[pos]; returns the position after it.
size_t ReadValue(std::string_view cmd, size_t pos, std::string& value) {
  if (pos < cmd.size() && cmd[pos] == '\'') {
    size_t end = ReadSingleQuoted(cmd, pos, value);
    if (end != std::string_view::npos && (end == cmd.size() || IsParameterStart(cmd, end))) {
      return end;
    }
  }
  size_t end = pos;  // unquoted, or a quote that does not close at a boundary: taken raw
  while (end < cmd.size() && !IsParameterStart(cmd, end)) ++end;
  value.assign(cmd.substr(pos, end - pos));
  return end;
}

// The last top-level `|` stage after a `Pipeline.<n>|` prefix.
std::string_view CmdletStage(std::string_view cmd) {
  constexpr std::string_view kPipeline = "Pipeline.";
  if (cmd.substr(0, kPipeline.size()) != kPipeline) return cmd;
  size_t bar = std::string_view::npos;
  bool quoted = false;
  for (size_t i = 0; i < cmd.size(); ++i) {
    if (cmd[i] == '\'') quoted = !quoted;  // '' toggles twice: stays right
    if (cmd[i] == '|' && !quoted) bar = i;
  }
  return bar == std::string_view::npos ? cmd : cmd.substr(bar + 1);
}

}  // namespace

absl::Status ParseEcpEventData(std::string_view data, std::vector<EcpPair>& out) {
  out.clear();
  std::string unquoted;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data[pos] == ';') {
      ++pos;
      continue;
    }
    size_t end;
    if (data[pos] == '\'') {
      end = ReadSingleQuoted(data, pos, unquoted);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError("EventData: unterminated '...' pair starting at byte " +
                                          std::to_string(pos));
      }
      size_t semi = data.find(';', end);  // tolerate text after the closing quote
      if (semi == std::string_view::npos) semi = data.size();
      unquoted.append(data.substr(end, semi - end));
      AddPair(unquoted, out);
      end = semi;
    } else {
      end = data.find(';', pos);
      if (end == std::string_view::npos) end = data.size();
      AddPair(data.substr(pos, end - pos), out);
    }
    pos = end;
  }
  return absl::OkStatus();
}

absl::Status ParseEcpCommand(std::string_view command, v1::ExchangeCmdlet& cmdlet) {
  std::string_view cmd = CmdletStage(command);
  size_t name_end = cmd.find('.');
  if (name_end == std::string_view::npos) name_end = cmd.size();
  std::string_view name = cmd.substr(0, name_end);
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front())) ||
      name.find_first_of(" '\"=|;") != std::string_view::npos) {
    return absl::InvalidArgumentError("S:CMD: '" + std::string(name.substr(0, 40)) +
                                      "' is not a cmdlet name");
  }
  cmdlet.set_name(std::string(name));
  auto& parameters = *cmdlet.mutable_parameters();
  std::string value;
  size_t pos = name_end;
  while (pos < cmd.size()) {
    size_t len = IdentifierAt(cmd, pos + 1);  // cmd[pos] is the '.' before a parameter
    if (len == 0) {
      return absl::InvalidArgumentError("S:CMD: expected .Parameter after byte " +
                                        std::to_string(pos) + " of '" +
                                        std::string(cmd.substr(0, 60)) + "'");
    }
    std::string key(cmd.substr(pos + 1, len));
    pos += 1 + len;
    if (pos < cmd.size() && cmd[pos] == '=') {
      pos = ReadValue(cmd, pos + 1, value);
    } else {
      value.clear();  // a switch parameter
      if (pos < cmd.size() && cmd[pos] != '.') {
        return absl::InvalidArgumentError("S:CMD: unexpected '" + std::string(1, cmd[pos]) +
                                          "' after parameter " + key);
      }
    }
    parameters[key] = value;
  }
  return absl::OkStatus();
}

}  // namespace tripline::agent
