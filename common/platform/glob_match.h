#pragma once

#include <string_view>

namespace tripline::platform {

// fnmatch(3)-style matching of `text` against `pattern` as a whole: `*` (any run, also across
// separators, as fnmatch without FNM_PATHNAME), `?` (one character), `[abc]`, `[a-z]`, `[!x]`
// / `[^x]`, `\x` (a literal x, unless `windows`). `windows`: ASCII case folded, and `\` and `/`
// are the same separator (and so `\` is not an escape). Works on bytes: UTF-8 passes through.
// Iterative with one backtrack point: linear-ish, no recursion, safe on hostile patterns.
bool MatchGlob(std::string_view pattern, std::string_view text, bool windows);

// "C:\...", "C:/..." or a UNC path "\\server\share..." ("C:" alone and "C:x" are relative).
bool IsWindowsAbsolutePath(std::string_view path);

// True when `component` (one path component) has a glob metacharacter.
bool HasGlobMeta(std::string_view component);

}  // namespace tripline::platform
