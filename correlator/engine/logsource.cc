#include "correlator/engine/logsource.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

struct ChannelService {
  std::string_view channel;
  std::string_view service;
};

// Sigma `service` names of the Windows channels Tripline reads (Sigma taxonomy appendix).
constexpr ChannelService kChannels[] = {
    {"Security", "security"},
    {"System", "system"},
    {"Application", "application"},
    {"Microsoft-Windows-Sysmon/Operational", "sysmon"},
    {"Microsoft-Windows-PowerShell/Operational", "powershell"},
    {"Windows PowerShell", "powershell-classic"},
    {"MSExchange Management", "msexchange-management"},
    {"Microsoft-Windows-TaskScheduler/Operational", "taskscheduler"},
    {"Microsoft-Windows-Windows Defender/Operational", "windefend"},
    {"Microsoft-Windows-WMI-Activity/Operational", "wmi"},
    {"Microsoft-Windows-IIS-Configuration/Operational", "iis-configuration"},
    {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
     "terminalservices-localsessionmanager"},
};

// W3C and the Exchange CSV logs are written by IIS / Exchange, so always Windows.
constexpr std::string_view kWindowsHttpFormats[] = {"w3c", "iis", "httpproxy", "ecp",
                                                    "owa", "oab", "ews"};

std::string_view HttpProduct(const v1::Event& e) {
  for (std::string_view f : kWindowsHttpFormats) {
    if (absl::EqualsIgnoreCase(e.source().format(), AbslView(f))) return "windows";
  }
  return e.host().os_type();
}

std::string_view ChannelToService(std::string_view channel) {
  for (const ChannelService& c : kChannels) {
    if (absl::EqualsIgnoreCase(AbslView(c.channel), AbslView(channel))) return c.service;
  }
  return {};
}

bool PartMatches(std::string_view rule, std::string_view event) {
  return rule.empty() || absl::EqualsIgnoreCase(AbslView(rule), AbslView(event));
}

}  // namespace

std::string Logsource::ToString() const {
  std::string out;
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"product", &product},
                                   {"category", &category},
                                   {"service", &service}}) {
    if (value->empty()) continue;
    absl::StrAppend(&out, out.empty() ? "" : " ", key, "=", *value);
  }
  return out.empty() ? "(any)" : out;
}

EventLogsource DeriveLogsource(const v1::Event& e) {
  EventLogsource ls;
  ls.product = e.host().os_type();
  switch (e.body_case()) {
    case v1::Event::kHttp:
      ls.category = "webserver";
      ls.product = HttpProduct(e);
      break;
    case v1::Event::kProcess: ls.category = "process_creation"; break;
    case v1::Event::kFile: ls.category = "file_event"; break;
    case v1::Event::kNetwork: ls.category = "network_connection"; break;
    case v1::Event::kService: ls.service = "system"; break;
    case v1::Event::kCmdlet:
      ls.service = "msexchange-management";
      ls.product = "windows";
      break;
    case v1::Event::kWindows:
      ls.service = ChannelToService(e.windows().channel());
      ls.product = "windows";
      break;
    default: break;
  }
  return ls;
}

bool LogsourceMatches(const Logsource& rule, const EventLogsource& event) {
  if (!PartMatches(rule.category, event.category)) return false;
  if (!PartMatches(rule.service, event.service)) return false;
  return event.product.empty() || PartMatches(rule.product, event.product);
}

}  // namespace tripline::correlator::engine
