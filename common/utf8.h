#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tripline {

// UTF-8 checks for text that ends up in protobuf `string` fields: proto3 requires valid UTF-8
// there, and a parser (the correlator's) rejects a whole message whose string holds anything
// else. Well-formed means Unicode's Table 3-7: no overlong forms, no surrogates, nothing past
// U+10FFFF. Pure functions, any thread.

// Whether `s` is entirely well-formed UTF-8 (fast for ASCII).
bool IsValidUtf8(std::string_view s);

// Appends `in` to `out` with every ill-formed sequence (each maximal ill-formed subpart, as
// Unicode recommends) replaced by U+FFFD. Returns how many were replaced (0: `in` was valid).
size_t AppendRepairedUtf8(std::string_view in, std::string* out);

// `s` itself when valid, else its repaired copy (for the rare paths: error messages, labels).
std::string RepairedUtf8(std::string_view s);

// The longest prefix of `s` of at most `max` bytes that does not end inside a UTF-8 sequence
// (bytes that are not UTF-8 at all are cut like ASCII).
std::string_view Utf8Prefix(std::string_view s, size_t max);

}  // namespace tripline
