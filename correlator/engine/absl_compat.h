#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace tripline::correlator::engine {

// Debian's Abseil (20220623) is built with its own absl::string_view, not std::string_view.
// These helpers keep the engine's API on std::string_view.
inline absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view StdView(absl::string_view s) { return {s.data(), s.size()}; }

template <typename T>
decltype(auto) ToAlphaNum(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> &&
                !std::is_convertible_v<const T&, absl::string_view>) {
    return AbslView(v);
  } else {
    return (v);
  }
}

// absl::StrCat that also takes std::string_view.
template <typename... Args>
std::string Cat(const Args&... args) {
  return absl::StrCat(ToAlphaNum(args)...);
}

}  // namespace tripline::correlator::engine
