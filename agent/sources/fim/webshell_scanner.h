#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tripline::agent {

// Looks for known web-shell markers (China Chopper one-liners, reflective assembly loads, shell
// spawning, ...; hafnium-detection.md §4.2) in script content, case-insensitively.
//
// The marker set is compiled once per process into an Aho-Corasick automaton over lower-cased
// bytes, so content is read in one pass whatever the number of markers, and it can be fed in
// chunks (a marker split across two chunks is still found). Some markers need two fragments
// anywhere in the file (`ProcessStartInfo` and `cmd.exe`).
//
// Lifecycle: one scanner per file: Feed() the chunks in order, then read Markers(). Not
// thread-safe; the compiled automaton it points to is immutable and shared.
class WebshellScanner {
 public:
  WebshellScanner();

  void Feed(std::string_view chunk);
  // Short names of the markers found so far, in a fixed order ("chopper_eval_request", ...).
  std::vector<std::string> Markers() const;

 private:
  struct Automaton;
  static const Automaton& Compiled();

  const Automaton* automaton_;
  uint32_t state_ = 0;
  uint32_t found_ = 0;  // bit i: fragment i seen
};

// Extensions whose content is scanned: aspx ashx asmx asp js php jsp (lower case, no dot).
bool IsScriptExtension(std::string_view extension);

}  // namespace tripline::agent
