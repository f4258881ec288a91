#include "agent/sources/host/service_baseline.h"

#include <vector>

namespace tripline::agent {
namespace {

constexpr size_t kFields = 6;

void Escape(std::string_view s, std::string& out) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

bool Unescape(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    if (s[i] == 't') {
      out += '\t';
    } else if (s[i] == 'n') {
      out += '\n';
    } else if (s[i] == '\\') {
      out += '\\';
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

ServiceBaselineEntry ServiceBaselineEntry::Of(const ServiceUnit& unit) {
  return ServiceBaselineEntry{unit.type,       unit.name, unit.path,      unit.sha256,
                       unit.start_type, unit.user, unit.executable};
}

std::string ServiceBaseline::Serialize() const {
  std::string out;
  for (const auto& [key, e] : entries_) {
    for (std::string_view f : {std::string_view(key), std::string_view(e.sha256),
                               std::string_view(e.start_type), std::string_view(e.user),
                               std::string_view(e.executable), std::string_view(e.path)}) {
      Escape(f, out);
      out += '\t';
    }
    out.back() = '\n';
  }
  return out;
}

absl::StatusOr<ServiceBaseline> ServiceBaseline::Parse(std::string_view text) {
  ServiceBaseline baseline;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    std::vector<std::string> f(kFields);
    size_t i = 0, start = 0;
    for (; i < kFields; ++i) {
      size_t tab = line.find('\t', start);
      std::string_view field = line.substr(start, tab == line.npos ? line.npos : tab - start);
      if (!Unescape(field, f[i])) break;
      if (tab == line.npos) break;
      start = tab + 1;
    }
    size_t colon = f[0].find(':');
    if (i != kFields - 1 || colon == std::string::npos) {
      return absl::DataLossError("service baseline: bad line: " + std::string(line.substr(0, 200)));
    }
    baseline.entries_[f[0]] = ServiceBaselineEntry{f[0].substr(0, colon), f[0].substr(colon + 1), f[5],
                                            f[1], f[2], f[3], f[4]};
  }
  return baseline;
}

}  // namespace tripline::agent
