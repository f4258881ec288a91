#include "agent/normalize/windows/windows_mappings.h"

#include <algorithm>
#include <cctype>

#include "agent/normalize/windows/exchange_cmdlet_parser.h"
#include "agent/normalize/windows/windows_time.h"
#include "common/time_util.h"

namespace tripline::agent::windows_mapping {
namespace {

std::string Lower(std::string_view v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void SetProcess(const FieldReader& f, std::string_view image, std::string_view pid,
                std::string_view command_line, std::string_view guid, v1::ProcessRef& out) {
  out.set_executable(f.Take(image));
  out.set_name(f.Bounded(BaseName(f.Get(image))));
  if (!pid.empty()) out.set_pid(static_cast<int64_t>(f.Number(pid)));
  if (!command_line.empty()) out.set_command_line(f.Take(command_line));
  if (!guid.empty()) out.set_entity_id(f.Take(guid));
}

// Sysmon "Hashes": "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." (the configured subset, any order).
void SetHashes(std::string_view hashes, v1::ProcessStart& out) {
  size_t pos = 0;
  while (pos < hashes.size()) {
    size_t comma = hashes.find(',', pos);
    if (comma == std::string_view::npos) comma = hashes.size();
    std::string_view pair = hashes.substr(pos, comma - pos);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      std::string algo = Lower(pair.substr(0, eq));
      std::string value = Lower(pair.substr(eq + 1));
      if (algo == "sha256") out.set_hash_sha256(value);
      if (algo == "md5") out.set_hash_md5(value);
      if (algo == "sha1") out.set_hash_sha1(value);
    }
    pos = comma + 1;
  }
}

// Security 4688 MandatoryLabel SID -> Sysmon's IntegrityLevel words.
std::string IntegrityFromLabel(std::string_view sid) {
  if (sid == "S-1-16-4096") return "Low";
  if (sid == "S-1-16-8192") return "Medium";
  if (sid == "S-1-16-12288") return "High";
  if (sid == "S-1-16-16384") return "System";
  return std::string(sid);
}

// Security 4697 writes SERVICE_* numbers; System 7045 writes words. Use 7045's words.
std::string StartTypeWords(std::string_view code) {
  uint64_t n = 0;
  if (!ParseNumber(code, n)) return std::string(code);
  static constexpr const char* kNames[] = {"boot start", "system start", "auto start",
                                           "demand start", "disabled"};
  return n < 5 ? kNames[n] : std::string(code);
}

std::string ServiceTypeWords(std::string_view code) {
  uint64_t n = 0;
  if (!ParseNumber(code, n)) return std::string(code);
  if (n == 0x1) return "kernel mode driver";
  if (n == 0x2) return "file system driver";
  if (n == 0x10 || n == 0x20 || n == 0x50 || n == 0x60) return "user mode service";
  return std::string(code);
}

}  // namespace

void SysmonProcessStart(const FieldReader& f, v1::ProcessStart& out) {
  SetProcess(f, "Image", "ProcessId", "CommandLine", "ProcessGuid", *out.mutable_process());
  SetProcess(f, "ParentImage", "ParentProcessId", "ParentCommandLine", "ParentProcessGuid",
             *out.mutable_parent());
  auto [domain, user] = SplitUser(f.Get("User"));
  out.set_user_domain(f.Bounded(domain));
  out.set_user_name(f.Bounded(user));
  out.set_working_directory(f.Take("CurrentDirectory"));
  out.set_integrity_level(f.Take("IntegrityLevel"));
  out.set_original_file_name(f.Take("OriginalFileName"));
  SetHashes(f.Get("Hashes"), out);
  out.set_company(f.Take("Company"));
  out.set_description(f.Take("Description"));
  out.set_product(f.Take("Product"));
  out.set_file_version(f.Take("FileVersion"));
  out.set_logon_id(f.Take("LogonId"));
  out.set_parent_user_name(f.Take("ParentUser"));  // Sysmon 13.30 and later
}

void SysmonNetwork(const FieldReader& f, v1::NetworkConnection& out) {
  out.set_transport(Lower(f.Get("Protocol")));
  std::string initiated = Lower(f.Get("Initiated"));
  if (!initiated.empty()) out.set_direction(initiated == "true" ? "outbound" : "inbound");
  out.set_source_ip(f.Take("SourceIp"));
  out.set_source_port(static_cast<uint32_t>(f.Number("SourcePort")));
  out.set_destination_ip(f.Take("DestinationIp"));
  out.set_destination_port(static_cast<uint32_t>(f.Number("DestinationPort")));
  out.set_destination_domain(f.Take("DestinationHostname"));
  out.set_source_domain(f.Take("SourceHostname"));
  SetProcess(f, "Image", "ProcessId", "", "ProcessGuid", *out.mutable_process());
  out.set_user_name(f.Bounded(SplitUser(f.Get("User")).second));
}

void SysmonFile(const FieldReader& f, v1::FileChange::Action action, v1::FileChange& out) {
  out.set_action(action);
  std::string_view path = f.Get("TargetFilename");
  out.set_path(f.Bounded(path));
  std::string_view name = BaseName(path);
  out.set_name(f.Bounded(name));
  size_t dot = name.find_last_of('.');
  if (dot != std::string_view::npos && dot + 1 < name.size()) {
    out.set_extension(Lower(name.substr(dot + 1)));
  }
  SetProcess(f, "Image", "ProcessId", "", "ProcessGuid", *out.mutable_process());
  out.set_user_name(f.Bounded(SplitUser(f.Get("User")).second));
  int64_t created = 0;  // Sysmon 11: "2021-03-03 07:48:31.002" (UTC)
  if (ParseWindowsTime(f.Get("CreationUtcTime"), created)) {
    *out.mutable_created() = TimestampFromMicros(created);
  }
}

void SecurityProcessStart(const FieldReader& f, v1::ProcessStart& out) {
  SetProcess(f, "NewProcessName", "NewProcessId", "CommandLine", "", *out.mutable_process());
  // ProcessId in 4688 is the creator, i.e. the parent (hex, like NewProcessId).
  SetProcess(f, "ParentProcessName", "ProcessId", "", "", *out.mutable_parent());
  out.set_user_name(f.Take("SubjectUserName"));
  out.set_user_domain(f.Take("SubjectDomainName"));
  out.set_logon_id(f.Take("SubjectLogonId"));  // the logon the user fields describe
  std::string_view label = f.Get("MandatoryLabel");
  if (!label.empty()) out.set_integrity_level(IntegrityFromLabel(label));
}

void SecurityServiceInstall(const FieldReader& f, v1::ServiceChange& out) {
  out.set_action(v1::ServiceChange::ACTION_INSTALLED);
  out.set_name(f.Take("ServiceName"));
  out.set_executable(f.Take("ServiceFileName"));
  out.set_start_type(StartTypeWords(f.Get("ServiceStartType")));
  out.set_account(f.Take("ServiceAccount"));
  out.set_service_type(ServiceTypeWords(f.Get("ServiceType")));
}

void SystemServiceInstall(const FieldReader& f, v1::ServiceChange& out) {
  out.set_action(v1::ServiceChange::ACTION_INSTALLED);
  // Named data (EVTX, Winlogbeat); classic renderings carry the same values positionally.
  auto get = [&f](std::string_view name, size_t index) {
    std::string_view v = f.Get(name);
    return v.empty() ? f.Get(WindowsEventRecord::PositionalName(index)) : v;
  };
  out.set_name(f.Bounded(get("ServiceName", 0)));
  out.set_executable(f.Bounded(get("ImagePath", 1)));
  out.set_service_type(f.Bounded(get("ServiceType", 2)));
  out.set_start_type(f.Bounded(get("StartType", 3)));
  out.set_account(f.Bounded(get("AccountName", 4)));
}

bool ExchangeCmdlet(const FieldReader& f, v1::ExchangeCmdlet& out) {
  const WindowsEventRecord& r = f.record();
  std::string_view name = f.Get(WindowsEventRecord::PositionalName(0));
  std::string_view params = f.Get(WindowsEventRecord::PositionalName(1));
  std::optional<ExchangeCmdletParser::Invocation> from_message;
  if (name.empty() || name.find(' ') != std::string_view::npos) {
    from_message = ExchangeCmdletParser::ParseMessage(r.message);
    if (!from_message) return false;
    name = from_message->name;
    params = from_message->parameters_text;
  }
  out.set_name(f.Bounded(name));
  for (auto& [k, v] : ExchangeCmdletParser::ParseParameters(params)) {
    (*out.mutable_parameters())[k] = f.Bounded(v);
  }
  out.set_command_line(f.Bounded(params.empty() ? std::string(name)
                                                : std::string(name) + " " + std::string(params)));
  out.set_user_name(f.Take(WindowsEventRecord::PositionalName(2)));
  out.set_origin("msexchange_management");
  out.set_succeeded(r.event_id == 1);
  if (r.event_id != 1) {
    // The failure's exception text is one of the later positional values.
    for (size_t i = 3; i < r.data.size(); ++i) {
      std::string_view v = f.Get(WindowsEventRecord::PositionalName(i));
      if (v.find("Exception") != std::string_view::npos) {
        out.set_error(f.Bounded(v));
        break;
      }
    }
  }
  return true;
}

}  // namespace tripline::agent::windows_mapping
