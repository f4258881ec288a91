#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agent/parsers/parser.h"

namespace tripline::agent {

// The lines of a file without their '\n' (a '\r' stays: parsers must remove it).
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What a parser made of each line of a file, in order.
struct ParsedFile {
  std::vector<v1::Event> records;
  std::vector<std::string> error_lines;
  std::vector<std::string> errors;
  int skipped = 0;
};

inline ParsedFile ParseFile(Parser& parser, const std::string& path) {
  ParsedFile out;
  for (const std::string& line : ReadLines(path)) {
    v1::Event event;
    auto kind = parser.Parse(line, event);
    if (!kind.ok()) {
      out.error_lines.push_back(line);
      out.errors.emplace_back(kind.status().message());
    } else if (*kind == LineKind::kRecord) {
      out.records.push_back(std::move(event));
    } else {
      ++out.skipped;
    }
  }
  return out;
}

}  // namespace tripline::agent
