#pragma once

#ifdef _WIN32
#include <windows.h>
#endif

#include <string>

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

// A path the build wrote in Linux form (TRIPLINE_SHARED_DIR, ...) as the Windows test binary must
// name it: Wine maps the Linux root to drive Z: (libyal's file layer does not resolve "/..."
// against the current drive as the Win32 API does). Unchanged on Linux.
inline std::string HostPath(std::string path) {
#ifdef _WIN32
  if (!path.empty() && path.front() == '/') {
    path = "Z:" + path;
    for (char& c : path) c = c == '/' ? '\\' : c;
  }
#endif
  return path;
}

}  // namespace tripline::testing
