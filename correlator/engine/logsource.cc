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
    {"Microsoft-Windows-CodeIntegrity/Operational", "codeintegrity-operational"},
    {"Microsoft-Windows-AppXDeploymentServer/Operational", "appxdeployment-server"},
    {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "firewall-as"},
    {"Microsoft-Windows-Bits-Client/Operational", "bits-client"},
    {"Microsoft-Windows-DNS-Client/Operational", "dns-client"},
    {"Microsoft-Windows-NTLM/Operational", "ntlm"},
    {"Microsoft-Windows-SMBClient/Security", "smbclient-security"},
    {"Microsoft-Windows-Shell-Core/Operational", "shell-core"},
    {"Microsoft-Windows-CAPI2/Operational", "capi2"},
    {"Microsoft-Windows-DriverFrameworks-UserMode/Operational", "driver-framework"},
    {"OpenSSH/Operational", "openssh"},
    // The rest of the channels SigmaHQ rules name (pySigma's windows_logsource_mapping and the
    // rules' own `definition` lines).
    {"PowerShellCore/Operational", "powershell"},
    {"DNS Server", "dns-server"},
    {"Microsoft-Windows-DNS-Server/Audit", "dns-server-audit"},
    {"Microsoft-Windows-DNS-Server/Analytical", "dns-server-analytic"},
    {"Microsoft-Windows-DHCP-Server/Operational", "dhcp"},
    {"Microsoft-Windows-AppLocker/EXE and DLL", "applocker"},
    {"Microsoft-Windows-AppLocker/MSI and Script", "applocker"},
    {"Microsoft-Windows-AppLocker/Packaged app-Deployment", "applocker"},
    {"Microsoft-Windows-AppLocker/Packaged app-Execution", "applocker"},
    {"Microsoft-Windows-PrintService/Admin", "printservice-admin"},
    {"Microsoft-Windows-PrintService/Operational", "printservice-operational"},
    {"Microsoft-Windows-Security-Mitigations/Kernel Mode", "security-mitigations"},
    {"Microsoft-Windows-Security-Mitigations/User Mode", "security-mitigations"},
    {"Microsoft-Windows-SmbClient/Connectivity", "smbclient-connectivity"},
    {"Microsoft-Windows-SMBServer/Connectivity", "smbserver-connectivity"},
    {"Microsoft-Windows-LSA/Operational", "lsa-server"},
    {"Microsoft-Windows-LDAP-Client/Debug", "ldap"},
    {"Microsoft-ServiceBus-Client", "microsoft-servicebus-client"},
    {"Microsoft-Windows-Diagnosis-Scripted/Operational", "diagnosis-scripted"},
    {"Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",
     "certificateservicesclient-lifecycle-system"},
    {"Microsoft-Windows-AppxPackaging/Operational", "appxpackaging-om"},
    {"Microsoft-Windows-AppModel-Runtime/Admin", "appmodel-runtime"},
    {"Microsoft-Windows-BitLocker/BitLocker Management", "bitlocker"},
};

// RPC Firewall (zeronetworks) writes its audit events to a channel of its own; SigmaHQ files
// them as product rpc_firewall, category application.
constexpr std::string_view kRpcFirewallChannel = "RPCFW";

// Sigma categories of the PowerShell channels' events.
std::string_view PowerShellCategory(std::string_view service, uint32_t event_code) {
  if (service == "powershell") {
    if (event_code == 4104) return "ps_script";
    if (event_code == 4103) return "ps_module";
  } else if (service == "powershell-classic") {
    if (event_code == 400) return "ps_classic_start";
    if (event_code == 600) return "ps_classic_provider_start";
    if (event_code == 800) return "ps_classic_script";
  }
  return {};
}

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
  for (const ChannelService& c : kChannels) {  // as Windows spells them, first
    if (c.channel == channel) return c.service;
  }
  for (const ChannelService& c : kChannels) {
    if (absl::EqualsIgnoreCase(AbslView(c.channel), AbslView(channel))) return c.service;
  }
  return {};
}

bool PartMatches(std::string_view rule, std::string_view event) {
  // Both sides are nearly always lower case already: the exact test settles most calls.
  return rule.empty() || rule == event || absl::EqualsIgnoreCase(AbslView(rule), AbslView(event));
}

// Sysmon event ids kept as WindowsEvent (no typed body) and their Sigma categories. Process
// creation (1), network (3) and file events (11, 23, 26) have typed bodies and categories of their
// own.
std::string_view SysmonCategory(uint32_t event_code) {
  switch (event_code) {
    case 2: return "file_change";
    case 4:                       // Sysmon service state changed
    case 16: return "sysmon_status";  // Sysmon configuration changed
    case 6: return "driver_load";
    case 7: return "image_load";
    case 8: return "create_remote_thread";
    case 9: return "raw_access_thread";
    case 10: return "process_access";
    case 12: return "registry_add";  // also deletions; `registry_event` rules see all of them
    case 13: return "registry_set";
    case 14: return "registry_rename";
    case 15: return "create_stream_hash";
    case 17:
    case 18: return "pipe_created";
    case 19:
    case 20:
    case 21: return "wmi_event";
    case 22: return "dns_query";
    case 25: return "process_tampering";
    case 29: return "file_executable_detected";
    case 255: return "sysmon_error";
    default: return {};
  }
}

std::string_view FileCategory(v1::FileChange::Action action) {
  switch (action) {
    case v1::FileChange::ACTION_DELETED: return "file_delete";
    case v1::FileChange::ACTION_RENAMED: return "file_rename";
    default: return "file_event";
  }
}

// A source that declares its logsource (agent.yaml `logsource:`, `tripline hunt --logsource`)
// knows better than the body: a W3C log of a web proxy is `category: proxy`, not `webserver`,
// and a JSON line of CloudTrail is `product: aws, service: cloudtrail`. Parts it leaves empty
// keep what the body says.
void ApplyDeclared(const v1::DeclaredLogsource& declared, EventLogsource* ls) {
  if (!declared.product().empty()) ls->product = declared.product();
  if (!declared.category().empty()) ls->category = declared.category();
  if (!declared.service().empty()) ls->service = declared.service();
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
    case v1::Event::kFile:
      // Sysmon 23/26 and FIM deletions are Sigma's file_delete, FIM renames file_rename (which
      // file_event rules see too, see CategoryMatches); the rest file_event.
      ls.category = FileCategory(e.file().action());
      break;
    case v1::Event::kNetwork: ls.category = "network_connection"; break;
    case v1::Event::kService: ls.service = "system"; break;
    case v1::Event::kCmdlet:
      ls.service = "msexchange-management";
      ls.product = "windows";
      break;
    case v1::Event::kWindows:
      if (absl::EqualsIgnoreCase(AbslView(e.windows().channel()), AbslView(kRpcFirewallChannel))) {
        ls.product = "rpc_firewall";
        ls.category = "application";
        break;
      }
      ls.service = ChannelToService(e.windows().channel());
      ls.product = "windows";
      if (ls.service == "powershell" || ls.service == "powershell-classic") {
        ls.category = PowerShellCategory(ls.service, e.windows().event_code());
      } else if (ls.service == "sysmon") {
        ls.category = SysmonCategory(e.windows().event_code());
        // Sysmon 12 is both key/value creation and deletion; EventType tells which.
        auto type = e.windows().data().find("EventType");
        if (e.windows().event_code() == 12 && type != e.windows().data().end() &&
            type->second.find("Delete") != std::string::npos) {
          ls.category = "registry_delete";
        }
      }
      break;
    default: break;
  }
  // A Windows event log record (EVTX, or NXLog / Winlogbeat JSON) comes from a Windows machine,
  // whatever the host that ships it runs (a Linux collector reading forwarded JSON).
  const std::string& format = e.source().format();
  if (format == "winevent_json" || format == "evtx") ls.product = "windows";
  ApplyDeclared(e.source().logsource(), &ls);
  return ls;
}

bool CategoryMatches(std::string_view rule, std::string_view event) {
  // Sigma's registry_event covers every registry category (Sysmon 12, 13 and 14).
  if (absl::EqualsIgnoreCase(AbslView(rule), "registry_event")) {
    return event.substr(0, 9) == "registry_";
  }
  // A renamed file appears under its new name: file_event rules (TargetFilename) see renames too.
  if (absl::EqualsIgnoreCase(AbslView(rule), "file_event") && event == "file_rename") return true;
  return PartMatches(rule, event);
}

bool LogsourceMatches(const Logsource& rule, const EventLogsource& event) {
  if (!CategoryMatches(rule.category, event.category)) return false;
  if (!PartMatches(rule.service, event.service)) return false;
  return event.product.empty() || PartMatches(rule.product, event.product);
}

}  // namespace tripline::correlator::engine
