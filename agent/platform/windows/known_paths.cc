#include "agent/platform/windows/known_paths.h"

#include <windows.h>
// After windows.h: these need its types.
#include <knownfolders.h>
#include <shlobj.h>

#include "common/platform/file.h"

namespace tripline::agent::windows {

std::string ProgramDataDir() {
  // The known folder is what the system uses even when an administrator moved ProgramData; the
  // variable can be missing in a service's environment block after a profile change.
  PWSTR known = nullptr;
  std::string dir;
  if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_ProgramData, KF_FLAG_DEFAULT, nullptr, &known))) {
    dir = platform::Narrow(known);
  }
  CoTaskMemFree(known);  // also required when the call failed (documented), no-op on null
  if (dir.empty()) {
    wchar_t buf[MAX_PATH] = {};
    DWORD n = GetEnvironmentVariableW(L"PROGRAMDATA", buf, MAX_PATH);
    if (n > 0 && n < MAX_PATH) dir = platform::Narrow(std::wstring_view(buf, n));
  }
  if (dir.empty()) dir = "C:\\ProgramData";
  while (dir.size() > 3 && (dir.back() == '\\' || dir.back() == '/')) dir.pop_back();
  return dir;
}

std::string TriplineDir() { return ProgramDataDir() + "\\Tripline"; }

std::string DefaultConfigPath() { return TriplineDir() + "\\agent.yaml"; }

std::string DefaultDataDir() { return TriplineDir() + "\\data"; }

std::string ServiceLogPath() { return TriplineDir() + "\\logs\\agent-service.log"; }

}  // namespace tripline::agent::windows
