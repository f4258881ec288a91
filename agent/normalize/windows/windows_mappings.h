#pragma once

#include "agent/normalize/windows/field_reader.h"
#include "tripline/v1/event.pb.h"

// Mappings from the named data of Sysmon, Security and System events to typed bodies. Internal
// to WindowsEventNormalizer (which picks the mapping); pure functions of the record.
namespace tripline::agent::windows_mapping {

void SysmonProcessStart(const FieldReader& f, v1::ProcessStart& out);       // Sysmon 1
void SysmonNetwork(const FieldReader& f, v1::NetworkConnection& out);       // Sysmon 3
void SysmonFile(const FieldReader& f, v1::FileChange::Action action,
                v1::FileChange& out);                                       // Sysmon 11, 23, 26
void SecurityProcessStart(const FieldReader& f, v1::ProcessStart& out);     // Security 4688
void SecurityServiceInstall(const FieldReader& f, v1::ServiceChange& out);  // Security 4697
void SystemServiceInstall(const FieldReader& f, v1::ServiceChange& out);    // System 7045
// MSExchange CmdletLogs 1 (succeeded) / 6 (failed). False when neither the message nor the
// positional data hold a cmdlet.
bool ExchangeCmdlet(const FieldReader& f, v1::ExchangeCmdlet& out);

}  // namespace tripline::agent::windows_mapping
