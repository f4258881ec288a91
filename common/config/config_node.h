#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tripline::config {

// Collects every problem found while loading one config file, each as "file:line: path: message".
// Loading never stops at the first problem: the user sees all of them at once (STYLE.md).
class ConfigErrors {
 public:
  explicit ConfigErrors(std::string file) : file_(std::move(file)) {}

  void Add(const YAML::Mark& mark, const std::string& path, const std::string& message);
  // For problems with no position (the file is missing, ...).
  void AddGlobal(const std::string& message);
  // Something the operator should fix but that does not stop the load (a key file readable by
  // everyone). The binary logs these once logging is set up.
  void AddWarning(const YAML::Mark& mark, const std::string& path, const std::string& message);
  const std::vector<std::string>& warnings() const { return warnings_; }

  bool empty() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& file() const { return file_; }
  // All errors, one per line.
  std::string ToString() const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

// A strict, typed view of one YAML mapping. Every getter marks its key as known; Finish() then
// reports every key nobody asked for as "unknown key", so a typo never passes silently.
// Not thread-safe; lives only while a config loads.
class ConfigNode {
 public:
  ConfigNode(ConfigErrors* errors, YAML::Node node, std::string path);

  bool Has(const std::string& key) const;
  // Whether `key` holds a mapping (e.g. `{file: ...}` where a scalar could also stand).
  bool IsMapping(const std::string& key) const;
  // The keys of this mapping, in file order (for mappings whose keys are data, not schema).
  std::vector<std::string> Keys() const;
  std::string String(const std::string& key, const std::string& fallback = "");
  std::string RequiredString(const std::string& key);
  int64_t Int(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  bool Bool(const std::string& key, bool fallback);
  std::vector<std::string> StringList(const std::string& key);
  // A flat mapping of scalars (e.g. librdkafka properties).
  std::map<std::string, std::string> StringMap(const std::string& key);
  // A nested mapping; an absent key gives an empty node that reports nothing.
  ConfigNode Child(const std::string& key);
  // A sequence of mappings.
  std::vector<ConfigNode> ChildList(const std::string& key);

  // Reports unknown keys of this mapping. Call once after the last getter.
  void Finish();

  const std::string& path() const { return path_; }
  ConfigErrors* errors() const { return errors_; }
  void Error(const std::string& key, const std::string& message);
  void Warn(const std::string& key, const std::string& message);

 private:
  YAML::Node Lookup(const std::string& key);
  std::string KeyPath(const std::string& key) const;

  ConfigErrors* errors_;
  YAML::Node node_;
  std::string path_;
  std::set<std::string> known_;
};

// Parses `file`; a syntax error is recorded in `errors` with its line and an empty node returned.
YAML::Node LoadYamlFile(const std::string& file, ConfigErrors* errors);

}  // namespace tripline::config
