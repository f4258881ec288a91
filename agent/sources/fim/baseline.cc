#include "agent/sources/fim/baseline.h"

#ifndef _WIN32
#include <unistd.h>
#endif

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "agent/sources/fim/fim_path.h"
#include "common/file_util.h"
#include "common/hash.h"

namespace tripline::agent {
namespace {

constexpr std::string_view kMagic = "tripline-fim-baseline 1";

// Debian's absl::string_view is not std::string_view: plain std helpers here.
template <typename Int>
bool ParseInt(std::string_view text, Int* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseHexByte(std::string_view text, int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out, 16);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool ConsumePrefix(std::string_view* text, std::string_view prefix) {
  if (text->substr(0, prefix.size()) != prefix) return false;
  text->remove_prefix(prefix.size());
  return true;
}

std::string EscapePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (c == '%' || c < 0x20 || c == 0x7f) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool UnescapePath(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    int value = 0;
    if (i + 2 >= in.size() || !ParseHexByte(in.substr(i + 1, 2), &value)) return false;
    *out += static_cast<char>(value);
    i += 2;
  }
  return true;
}

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError("fim baseline damaged: " + std::string(what));
}

bool ParseEntry(std::string_view line, std::string* path, BaselineEntry* entry) {
  std::vector<std::string_view> f = Split(line, '\t');
  if (f.size() != 6) return false;
  entry->sha256 = f[0] == "-" ? "" : std::string(f[0]);
  entry->truncated = f[4] == "t";
  return ParseInt(f[1], &entry->stat.size) && ParseInt(f[2], &entry->stat.mtime_ns) &&
         ParseInt(f[3], &entry->stat.ctime_ns) && (f[4] == "t" || f[4] == "-") &&
         UnescapePath(f[5], path);
}

absl::Status ErrnoStatus(std::string_view what, const std::string& path) {
  return absl::InternalError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

// True only when nothing is at `path`: a baseline that exists but cannot be read is an error,
// never a first start (that would rebuild it silently over a planted file).
bool NothingAt(const std::string& path) {
#ifdef _WIN32
  std::error_code ec;
  return !std::filesystem::exists(FsPath(path), ec) && !ec;
#else
  return ::access(path.c_str(), F_OK) != 0 && errno == ENOENT;
#endif
}

}  // namespace

const BaselineEntry* Baseline::Find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

std::string Baseline::Serialize() const {
  std::string out = std::string(kMagic) + "\nseq " + std::to_string(seq_) + "\ncount " +
                    std::to_string(entries_.size()) + "\n";
  for (const auto& [path, e] : entries_) {
    out += e.sha256.empty() ? "-" : e.sha256;
    for (int64_t n : {static_cast<int64_t>(e.stat.size), e.stat.mtime_ns, e.stat.ctime_ns}) {
      out += '\t';
      out += std::to_string(n);
    }
    out += e.truncated ? "\tt\t" : "\t-\t";
    out += EscapePath(path);
    out += '\n';
  }
  out += "checksum " + Sha256Hex(out) + "\n";
  return out;
}

absl::StatusOr<Baseline> Baseline::Parse(std::string_view text) {
  size_t sum_at = text.rfind("checksum ");
  if (sum_at == std::string_view::npos || text.empty() || text.back() != '\n') {
    return Corrupt("no checksum line");
  }
  std::string_view body = text.substr(0, sum_at);
  std::string_view sum = text.substr(sum_at + 9, text.size() - sum_at - 10);
  if (Sha256Hex(body) != sum) return Corrupt("checksum mismatch");
  std::vector<std::string_view> lines = Split(body, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  Baseline baseline;
  uint64_t count = 0;
  if (lines.size() < 3 || lines[0] != kMagic) return Corrupt("unknown header or version");
  if (!ConsumePrefix(&lines[1], "seq ") || !ParseInt(lines[1], &baseline.seq_) ||
      !ConsumePrefix(&lines[2], "count ") || !ParseInt(lines[2], &count) ||
      count != lines.size() - 3) {
    return Corrupt("bad seq or count line");
  }
  for (size_t i = 3; i < lines.size(); ++i) {
    std::string path;
    BaselineEntry entry;
    if (!ParseEntry(lines[i], &path, &entry)) return Corrupt("line " + std::to_string(i + 1));
    baseline.entries_.emplace(std::move(path), std::move(entry));
  }
  return baseline;
}

absl::StatusOr<Baseline> Baseline::Load(const std::string& path) {
  if (NothingAt(path)) return absl::NotFoundError("no fim baseline at " + path);
  std::ifstream in(FsPath(path), std::ios::binary);
  if (!in) return ErrnoStatus("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoStatus("cannot read", path);
  absl::StatusOr<Baseline> parsed = Parse(text.str());
  if (!parsed.ok()) {
    return absl::DataLossError(path + ": " + std::string(parsed.status().message()));
  }
  return parsed;
}

absl::Status Baseline::Save(const std::string& path) const {
  return WriteFileAtomically(path, Serialize());
}

}  // namespace tripline::agent
