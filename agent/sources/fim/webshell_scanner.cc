#include "agent/sources/fim/webshell_scanner.h"

#include <array>
#include <cctype>
#include <queue>

namespace tripline::agent {
namespace {

// Fragments, lower case. A marker fires when all of its fragments were seen.
constexpr std::string_view kFragments[] = {
    "eval(request.item[",                                 // 0
    "eval(request[",                                      // 1
    "request.item[",                                      // 2
    "\"unsafe\"",                                         // 3
    "<script language=\"jscript\" runat=\"server\">",     // 4
    "eval(",                                              // 5
    "system.reflection.assembly.load(",                   // 6
    "convert.frombase64string(request",                   // 7
    "processstartinfo",                                   // 8
    "cmd.exe",                                            // 9
    "response.write(new activexobject(\"wscript.shell\")",  // 10
    "wscript.shell",                                      // 11
    "process.start(",                                     // 12
};

struct Marker {
  std::string_view name;
  uint32_t fragments;  // bit mask over kFragments
};

constexpr uint32_t Bit(int i) { return 1u << i; }

constexpr Marker kMarkers[] = {
    {"chopper_eval_request_item", Bit(0)},
    {"chopper_eval_request", Bit(1)},
    {"chopper_request_item_unsafe", Bit(2) | Bit(3)},
    {"jscript_runat_server_eval", Bit(4) | Bit(5)},
    {"reflection_assembly_load", Bit(6)},
    {"frombase64_request", Bit(7)},
    {"processstartinfo_cmd", Bit(8) | Bit(9)},
    {"activex_wscript_shell_write", Bit(10)},
    {"wscript_shell", Bit(11)},
    {"process_start", Bit(12)},
};

}  // namespace

// A complete DFA: next[state][byte] already follows failure links, and `out[state]` holds every
// fragment ending at that state (its own and its failure chain's).
struct WebshellScanner::Automaton {
  std::vector<std::array<uint32_t, 256>> next;
  std::vector<uint32_t> out;
  std::array<unsigned char, 256> lower{};

  Automaton() {
    for (int c = 0; c < 256; ++c) lower[c] = static_cast<unsigned char>(std::tolower(c));
    next.emplace_back();
    next[0].fill(UINT32_MAX);
    out.push_back(0);
    BuildTrie();
    LinkFailures();
  }

  void BuildTrie() {
    for (size_t i = 0; i < std::size(kFragments); ++i) {
      uint32_t s = 0;
      for (unsigned char c : kFragments[i]) {
        if (next[s][c] == UINT32_MAX) {
          next[s][c] = static_cast<uint32_t>(next.size());
          next.emplace_back();
          next.back().fill(UINT32_MAX);
          out.push_back(0);
        }
        s = next[s][c];
      }
      out[s] |= Bit(static_cast<int>(i));
    }
  }

  // Breadth-first: a state's failure target is shallower, so it is complete when needed.
  void LinkFailures() {
    std::vector<uint32_t> fail(next.size(), 0);
    std::queue<uint32_t> todo;
    for (int c = 0; c < 256; ++c) {
      if (next[0][c] == UINT32_MAX) {
        next[0][c] = 0;
      } else {
        todo.push(next[0][c]);
      }
    }
    while (!todo.empty()) {
      uint32_t s = todo.front();
      todo.pop();
      out[s] |= out[fail[s]];
      for (int c = 0; c < 256; ++c) {
        uint32_t t = next[s][c];
        if (t == UINT32_MAX) {
          next[s][c] = next[fail[s]][c];
        } else {
          fail[t] = next[fail[s]][c];
          todo.push(t);
        }
      }
    }
  }
};

const WebshellScanner::Automaton& WebshellScanner::Compiled() {
  static const Automaton automaton;  // built once, immutable, thread-safe initialization
  return automaton;
}

WebshellScanner::WebshellScanner() : automaton_(&Compiled()) {}

void WebshellScanner::Feed(std::string_view chunk) {
  const Automaton& a = *automaton_;
  uint32_t s = state_;
  uint32_t found = found_;
  for (char ch : chunk) {
    s = a.next[s][a.lower[static_cast<unsigned char>(ch)]];
    found |= a.out[s];
  }
  state_ = s;
  found_ = found;
}

std::vector<std::string> WebshellScanner::Markers() const {
  std::vector<std::string> names;
  for (const Marker& m : kMarkers) {
    if ((found_ & m.fragments) == m.fragments) names.emplace_back(m.name);
  }
  return names;
}

bool IsScriptExtension(std::string_view extension) {
  static constexpr std::string_view kScript[] = {"aspx", "ashx", "asmx", "asp",
                                                 "js",   "php",  "jsp"};
  for (std::string_view e : kScript) {
    if (e == extension) return true;
  }
  return false;
}

}  // namespace tripline::agent
