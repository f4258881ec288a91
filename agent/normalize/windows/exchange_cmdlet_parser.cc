#include "agent/normalize/windows/exchange_cmdlet_parser.h"

#include <cctype>

namespace tripline::agent {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view v) {
  while (!v.empty() && IsSpace(v.front())) v.remove_prefix(1);
  while (!v.empty() && IsSpace(v.back())) v.remove_suffix(1);
  return v;
}

// True when a parameter name (`-Name`) starts at `pos`.
bool ParameterStartsAt(std::string_view text, size_t pos) {
  return pos + 1 < text.size() && text[pos] == '-' && IsAlpha(text[pos + 1]);
}

}  // namespace

std::optional<ExchangeCmdletParser::Invocation> ExchangeCmdletParser::ParseMessage(
    std::string_view message) {
  // "Cmdlet suceeded. Cmdlet <name>, parameters <params>." or "Cmdlet failed. Cmdlet ...".
  constexpr std::string_view kCmdlet = "Cmdlet ";
  constexpr std::string_view kParameters = ", parameters ";
  message = Trim(message);
  if (message.substr(0, kCmdlet.size()) != kCmdlet) return std::nullopt;
  size_t second = message.find(kCmdlet, kCmdlet.size());
  if (second == std::string_view::npos) return std::nullopt;
  size_t name_begin = second + kCmdlet.size();
  size_t comma = message.find(kParameters, name_begin);
  Invocation inv;
  if (comma == std::string_view::npos) {
    // No parameters: "Cmdlet suceeded. Cmdlet Get-Mailbox."
    std::string_view name = Trim(message.substr(name_begin));
    while (!name.empty() && (name.back() == '.' || name.back() == ',')) name.remove_suffix(1);
    inv.name = std::string(name);
  } else {
    inv.name = std::string(Trim(message.substr(name_begin, comma - name_begin)));
    std::string_view params = Trim(message.substr(comma + kParameters.size()));
    // The message ends with "." after the parameters; later lines (error text) follow a newline.
    size_t newline = params.find('\n');
    if (newline != std::string_view::npos) params = Trim(params.substr(0, newline));
    if (!params.empty() && params.back() == '.') params.remove_suffix(1);
    inv.parameters_text = std::string(params);
  }
  if (inv.name.empty() || inv.name.find(' ') != std::string::npos) return std::nullopt;
  return inv;
}

std::map<std::string, std::string> ExchangeCmdletParser::ParseParameters(std::string_view text) {
  std::map<std::string, std::string> out;
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    ParseBraced(text.substr(1, text.size() - 2), out);
  } else {
    ParseDashed(text, out);
  }
  return out;
}

size_t ExchangeCmdletParser::QuotedValueEnd(std::string_view text, size_t open_quote) {
  for (size_t q = text.find('"', open_quote + 1); q != std::string_view::npos;
       q = text.find('"', q + 1)) {
    size_t next = q + 1;
    while (next < text.size() && IsSpace(text[next])) ++next;
    if (next == text.size() || (next > q + 1 && ParameterStartsAt(text, next))) return q;
  }
  return std::string_view::npos;  // unterminated: the value runs to the end
}

void ExchangeCmdletParser::ParseDashed(std::string_view text,
                                       std::map<std::string, std::string>& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    if (!ParameterStartsAt(text, pos)) {
      // Not a parameter (a positional value): skip the word.
      while (pos < text.size() && !IsSpace(text[pos])) ++pos;
      continue;
    }
    size_t name_begin = pos + 1;
    size_t name_end = name_begin;
    while (name_end < text.size() && !IsSpace(text[name_end]) && text[name_end] != ':') ++name_end;
    std::string name(text.substr(name_begin, name_end - name_begin));
    pos = name_end;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;  // -Confirm:$false
    } else {
      while (pos < text.size() && IsSpace(text[pos])) ++pos;
    }
    if (pos >= text.size() || ParameterStartsAt(text, pos)) {
      out[name] = "True";  // a switch
      continue;
    }
    if (text[pos] == '"') {
      size_t close = QuotedValueEnd(text, pos);
      size_t end = close == std::string_view::npos ? text.size() : close;
      out[name] = std::string(text.substr(pos + 1, end - pos - 1));
      pos = close == std::string_view::npos ? text.size() : close + 1;
    } else {
      size_t end = pos;
      while (end < text.size() && !IsSpace(text[end])) ++end;
      out[name] = std::string(text.substr(pos, end - pos));
      pos = end;
    }
  }
}

void ExchangeCmdletParser::ParseBraced(std::string_view text,
                                       std::map<std::string, std::string>& out) {
  // Exchange 2010: "{MailboxServer=SCEX02, Identity=DAG1}". A value may hold ", " itself, so a
  // pair ends at ", " only when a `Name=` follows.
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eq = text.find('=', pos);
    if (eq == std::string_view::npos) break;
    std::string name(Trim(text.substr(pos, eq - pos)));
    size_t end = eq + 1;
    for (size_t sep = text.find(", ", end);; sep = text.find(", ", sep + 1)) {
      if (sep == std::string_view::npos) {
        end = text.size();
        break;
      }
      size_t next_eq = text.find('=', sep + 2);
      std::string_view candidate = text.substr(sep + 2, next_eq == std::string_view::npos
                                                            ? 0
                                                            : next_eq - sep - 2);
      if (next_eq != std::string_view::npos && !candidate.empty() &&
          candidate.find_first_of(" ,{}") == std::string_view::npos) {
        end = sep;
        break;
      }
    }
    if (!name.empty()) out[name] = std::string(Trim(text.substr(eq + 1, end - eq - 1)));
    pos = end + 2;
  }
}

}  // namespace tripline::agent
