#pragma once

#include <string>

// Where tripline-agent keeps its files on Windows when the command line and the config do not
// say: under the machine-wide application data folder (FOLDERID_ProgramData, C:\ProgramData on a
// default install), as Windows services do. Paths are UTF-8 (see common/platform/file.h), with
// backslashes. Pure lookups, any thread; the folders are not created here.
namespace tripline::agent::windows {

// FOLDERID_ProgramData (SHGetKnownFolderPath); the PROGRAMDATA environment variable when the
// shell will not say; C:\ProgramData as the last resort.
std::string ProgramDataDir();

// %ProgramData%\Tripline: the agent's folder (config, data, service log).
std::string TriplineDir();

// %ProgramData%\Tripline\agent.yaml: the config read when --config is not given, and the one
// `tripline-agent service install` registers.
std::string DefaultConfigPath();

// %ProgramData%\Tripline\data: agent.data_dir when the config does not set it.
std::string DefaultDataDir();

// %ProgramData%\Tripline\logs\agent-service.log: where a service's log lines go, since a
// service has no console (see service_host.h).
std::string ServiceLogPath();

}  // namespace tripline::agent::windows
