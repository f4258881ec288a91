#include "agent/normalize/windows/windows_event_normalizer.h"

#include "agent/normalize/windows/field_reader.h"
#include "agent/normalize/windows/windows_mappings.h"
#include "common/time_util.h"

namespace tripline::agent {
namespace {

constexpr std::string_view kSysmonChannel = "Microsoft-Windows-Sysmon/Operational";
constexpr std::string_view kSysmonProvider = "Microsoft-Windows-Sysmon";
constexpr std::string_view kSecurityProvider = "Microsoft-Windows-Security-Auditing";
constexpr std::string_view kServiceControlManager = "Service Control Manager";
constexpr std::string_view kCmdletProvider = "MSExchange CmdletLogs";
constexpr std::string_view kManagementChannel = "MSExchange Management";

bool IsSysmon(const WindowsEventRecord& r) {
  return EqualsIgnoreCase(r.channel, kSysmonChannel) ||
         EqualsIgnoreCase(r.provider, kSysmonProvider);
}

bool IsSecurity(const WindowsEventRecord& r) {
  return EqualsIgnoreCase(r.channel, "Security") ||
         EqualsIgnoreCase(r.provider, kSecurityProvider);
}

bool IsCmdletLog(const WindowsEventRecord& r) {
  return (r.event_id == 1 || r.event_id == 6) &&
         (EqualsIgnoreCase(r.provider, kCmdletProvider) ||
          EqualsIgnoreCase(r.channel, kManagementChannel));
}

// Classic providers without a rendered message: their strings in order, one per line.
std::string PositionalText(const FieldReader& f) {
  const auto& data = f.record().data;
  std::string text;
  for (size_t i = 0; i < data.size(); ++i) {
    auto it = data.find(WindowsEventRecord::PositionalName(i));
    if (it == data.end()) return {};  // named data: not a classic event
    if (i > 0) text += '\n';
    text += it->second;
  }
  return text;
}

}  // namespace

void WindowsEventNormalizer::Normalize(const WindowsEventRecord& record, v1::Event& event) {
  ++counters_.records;
  if (record.has_time) *event.mutable_event_time() = TimestampFromMicros(record.time_micros);
  if (!MapTyped(record, event)) MapWindowsEvent(record, *event.mutable_windows());
}

bool WindowsEventNormalizer::MapTyped(const WindowsEventRecord& r, v1::Event& event) {
  FieldReader f(r, &counters_.truncated_values);
  namespace m = windows_mapping;
  if (IsSysmon(r)) {
    switch (r.event_id) {
      case 1: m::SysmonProcessStart(f, *event.mutable_process()); return true;
      case 3: m::SysmonNetwork(f, *event.mutable_network()); return true;
      case 11: m::SysmonFile(f, v1::FileChange::ACTION_CREATED, *event.mutable_file()); return true;
      case 23:  // FileDelete (archived)
      case 26:  // FileDeleteDetected
        m::SysmonFile(f, v1::FileChange::ACTION_DELETED, *event.mutable_file());
        return true;
      default: return false;  // 7 image load, 10 process access, 13 registry: WindowsEvent
    }
  }
  if (IsSecurity(r)) {
    if (r.event_id == 4688) {
      m::SecurityProcessStart(f, *event.mutable_process());
      return true;
    }
    if (r.event_id == 4697) {
      m::SecurityServiceInstall(f, *event.mutable_service());
      return true;
    }
    return false;
  }
  if (r.event_id == 7045 && EqualsIgnoreCase(r.provider, kServiceControlManager)) {
    m::SystemServiceInstall(f, *event.mutable_service());
    return true;
  }
  if (IsCmdletLog(r)) {
    v1::ExchangeCmdlet cmdlet;
    if (!m::ExchangeCmdlet(f, cmdlet)) return false;
    *event.mutable_cmdlet() = std::move(cmdlet);
    return true;
  }
  return false;
}

void WindowsEventNormalizer::MapWindowsEvent(const WindowsEventRecord& r, v1::WindowsEvent& out) {
  FieldReader f(r, &counters_.truncated_values);
  out.set_provider(r.provider);
  out.set_channel(r.channel);
  out.set_event_code(r.event_id);
  out.set_level(r.level);
  out.set_record_id(r.record_id);
  out.set_computer(r.computer);
  out.set_user_sid(r.user_sid);
  for (const auto& [name, value] : r.data) (*out.mutable_data())[name] = f.Bounded(value);
  out.set_message(f.Bounded(r.message.empty() ? PositionalText(f) : r.message));
}

}  // namespace tripline::agent
