#pragma once

#ifdef _WIN32
#include <windows.h>
#endif

namespace tripline::testing {

// True when a Windows test binary runs under Wine (CI runs the Windows build's tests there). Wine
// exports wine_get_version from its ntdll. For the few checks of behaviour Wine does not
// implement; each such check says so in its output.
inline bool UnderWine() {
#ifdef _WIN32
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

}  // namespace tripline::testing
