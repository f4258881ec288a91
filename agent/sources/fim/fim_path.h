#pragma once

#include <filesystem>
#include <string>
#include <string_view>

// Path text of the FIM on both platforms. Paths are UTF-8 strings everywhere in the FIM (baseline
// keys, events); on Windows they use `\` and are converted to UTF-16 only at the system call.
// The Windows rules are plain functions (NormalizeWindowsRoot here; absolute paths and globs are
// common/platform's IsWindowsAbsolutePath and MatchGlob) so that they are unit-tested on Linux
// too; the native entry points pick the rules of the platform built for. Pure functions, any thread.
namespace tripline::agent {

#ifdef _WIN32
inline constexpr char kPathSeparator = '\\';
#else
inline constexpr char kPathSeparator = '/';
#endif

// `dir` + separator + `name`, without doubling the separator after a root ("/", "C:\").
std::string JoinPath(std::string_view dir, std::string_view name, char sep = kPathSeparator);

// The spelling of a configured root that every path below it starts with. POSIX: trailing '/'
// removed ("/" stays). Windows: NormalizeWindowsRoot.
std::string NormalizeRoot(std::string root);
// '/' becomes '\', the drive letter upper case, repeated and trailing '\' removed (but "C:\" keeps
// its own): "c:/inetpub//wwwroot/" -> "C:\inetpub\wwwroot". A UNC root keeps its leading "\\".
std::string NormalizeWindowsRoot(std::string root);

// UTF-16 (Windows names) <-> the UTF-8 of FIM paths. An unpaired surrogate, which NTFS allows in
// a name, is kept as its 3-byte form (WTF-8) so that the path still opens the file; events carry
// RepairedUtf8() of it. Ill-formed UTF-8 decodes to U+FFFD.
std::string Utf16ToUtf8(std::u16string_view in);
std::u16string Utf8ToUtf16(std::string_view in);

// A std::filesystem::path naming the UTF-8 `path` (Windows: not through the ANSI code page).
std::filesystem::path FsPath(const std::string& path);

}  // namespace tripline::agent
