#include "common/config/secrets.h"

#include <cstdlib>
#include <fstream>

#include "common/platform/file.h"

namespace tripline::config {
namespace {

constexpr size_t kMaxSecretBytes = 64 * 1024;

std::optional<std::string> ReadSecretFile(ConfigNode& node, const std::string& path) {
  if (path.empty() || path.front() != '/') {
    node.Error("file", "'" + path + "' must be an absolute path");
    return std::nullopt;
  }
  CheckFileKey(node, "file", path, FileRole::kSecret);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;  // CheckFileKey said why
  std::string value(kMaxSecretBytes + 1, '\0');
  in.read(value.data(), static_cast<std::streamsize>(value.size()));
  value.resize(static_cast<size_t>(in.gcount()));
  if (value.size() > kMaxSecretBytes) {
    node.Error("file", "'" + path + "' is larger than 64 KiB: not a password or key file?");
    return std::nullopt;
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    node.Error("file", "'" + path + "' is empty");
    return std::nullopt;
  }
  if (value.find('\0') != std::string::npos) {
    node.Error("file", "'" + path + "' holds a NUL byte: not a text secret");
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<std::string> ReadSecret(ConfigNode node) {
  const std::string path = node.String("file"), name = node.String("env");
  const bool file = node.Has("file"), env = node.Has("env");
  std::optional<std::string> out;
  if (file == env) {
    node.Error(file ? "env" : "file",
               "name the secret's source: {file: /path/to/file} or {env: VARIABLE}, one of them");
  } else if (file) {
    out = ReadSecretFile(node, path);
  } else {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0') {
      node.Error("env", "environment variable '" + name + "' is not set or empty");
    } else {
      out = std::string(value);
    }
  }
  node.Finish();
  return out;
}

void CheckFileKey(ConfigNode& node, const std::string& key, const std::string& path,
                  FileRole role) {
  if (path.empty()) return;
  std::string warning;
  absl::Status st = CheckFileSafety(path, role, &warning);
  if (!st.ok()) {
    node.Error(key, std::string(st.message()));
  } else if (!platform::Readable(path)) {
    node.Error(key, "'" + path + "' is not readable by this user");
  } else if (!warning.empty()) {
    node.Warn(key, warning);
  }
}

}  // namespace tripline::config
