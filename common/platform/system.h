#pragma once

#include <string>

// Small facts about the running system, on POSIX and on Windows.
namespace tripline::platform {

// This host's name (POSIX: gethostname; Windows: the DNS host name), "unknown-host" when the
// system will not say.
std::string HostName();

// Whether stderr is a terminal (coloured logs and progress bars).
bool StderrIsTerminal();

}  // namespace tripline::platform
