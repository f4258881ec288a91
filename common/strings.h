#pragma once

#include <string_view>

namespace tripline {

// The last component of a Windows or POSIX path: "C:\Windows\System32\cmd.exe" -> "cmd.exe".
std::string_view BaseName(std::string_view path);

// ASCII case-insensitive equality (log field names, header names, extensions).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tripline
