#include "correlator/cli/format_detector.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace tripline::correlator::cli {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

bool ContainsNoCase(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

std::string_view TrimLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

// The format a `#` directive line decides, or "" when it decides nothing.
std::string_view FromDirective(std::string_view line) {
  if (StartsWithNoCase(line, "#Log-type:")) {
    std::string_view type = line.substr(10);
    if (ContainsNoCase(type, "HttpProxy")) return "httpproxy";
    if (ContainsNoCase(type, "ECP")) return "ecp";
    if (ContainsNoCase(type, "OAB")) return "oab";
    return "";
  }
  if (StartsWithNoCase(line, "#Fields:")) {
    std::string_view fields = TrimLine(line.substr(8));
    if (StartsWithNoCase(fields, "date time")) return "w3c";
    if (StartsWithNoCase(fields, "DateTime,RequestId")) return "httpproxy";
    return "";
  }
  if (StartsWithNoCase(line, "#Software: Microsoft Internet Information Services")) return "w3c";
  return "";
}

// An IIS W3C line without its header (excerpts, copies): "2021-03-05 03:06:27 <s-ip> GET /...".
bool LooksLikeW3cLine(std::string_view line) {
  auto digits = [&](size_t pos, size_t n) {
    if (line.size() < pos + n) return false;
    for (size_t i = pos; i < pos + n; ++i) {
      if (line[i] < '0' || line[i] > '9') return false;
    }
    return true;
  };
  if (!(digits(0, 4) && line[4] == '-' && digits(5, 2) && line[7] == '-' && digits(8, 2) &&
        line[10] == ' ' && digits(11, 2) && line[13] == ':')) {
    return false;
  }
  for (std::string_view method : {" GET /", " POST /", " HEAD /", " PUT /", " OPTIONS /",
                                  " PROPFIND /", " RPC_IN_DATA /", " RPC_OUT_DATA /"}) {
    if (line.find(method) != std::string_view::npos) return true;
  }
  return false;
}

// A CSV header line: at least two commas, every column a name (letters first, optionally in
// double quotes, as PowerShell's Export-Csv writes them), so not a data row.
bool LooksLikeCsvHeader(std::string_view line) {
  if (std::count(line.begin(), line.end(), ',') < 2) return false;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(',', start);
    if (end == std::string_view::npos) end = line.size();
    std::string_view name = TrimLine(line.substr(start, end - start));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) return false;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("_-. ()").find(c) ==
                                                              std::string_view::npos) {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

// The format the first data line decides (always one).
std::string_view FromDataLine(std::string_view line) {
  if (StartsWithNoCase(line, "DateTime,RequestId")) return "httpproxy";
  if (LooksLikeCsvHeader(line)) {
    // An HttpProxy export (Test-ProxyLogon's, a SIEM's) names some of its own columns.
    for (std::string_view column : {"AnchorMailbox", "ClientIpAddress", "RoutingHint",
                                    "BackEndCookie", "TargetServer", "UrlStem"}) {
      if (ContainsNoCase(line, column)) return "httpproxy";
    }
    return "csv";
  }
  if (LooksLikeW3cLine(line)) return "w3c";
  if (line.front() == '{') {
    if (line.find("EventID") != std::string_view::npos ||
        line.find("\"winlog\"") != std::string_view::npos ||
        line.find("winlog.") != std::string_view::npos) {
      return "winevent_json";
    }
    return "json";
  }
  return "plain";
}

}  // namespace

std::string DetectFormat(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = TrimLine(head.substr(0, end));
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string_view format = FromDirective(line);
      if (!format.empty()) return std::string(format);
      continue;
    }
    return std::string(FromDataLine(line));
  }
  return "plain";
}

bool IsJsonDocument(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = TrimLine(head.substr(0, end));
    head = end == std::string_view::npos ? std::string_view() : head.substr(end + 1);
    if (!line.empty()) return line == "{" || line == "[";
  }
  return false;
}

bool IsRecordsEnvelope(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  // Each token in order, whitespace allowed between them.
  for (std::string_view token : {"{", "\"Records\"", ":", "["}) {
    size_t start = head.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || head.substr(start, token.size()) != token) return false;
    head.remove_prefix(start + token.size());
  }
  return true;
}

std::string ReadHead(const std::string& path) {
  constexpr size_t kHeadBytes = 64 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string head(kHeadBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

std::string DetectFileFormat(const std::string& path) { return DetectFormat(ReadHead(path)); }

}  // namespace tripline::correlator::cli
