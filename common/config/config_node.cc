#include "common/config/config_node.h"

#include <fstream>
#include <sstream>

namespace tripline::config {
namespace {

// A key that is not there, or is there with no value (`key:` or `key: null`).
bool Absent(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }

}  // namespace

void ConfigErrors::Add(const YAML::Mark& mark, const std::string& path,
                       const std::string& message) {
  std::ostringstream out;
  out << file_;
  if (mark.line >= 0) out << ":" << (mark.line + 1);
  out << ": ";
  if (!path.empty()) out << path << ": ";
  out << message;
  errors_.push_back(out.str());
}

void ConfigErrors::AddWarning(const YAML::Mark& mark, const std::string& path,
                              const std::string& message) {
  std::string where = file_;
  if (mark.line >= 0) where += ":" + std::to_string(mark.line + 1);
  warnings_.push_back(where + ": " + (path.empty() ? "" : path + ": ") + message);
}

void ConfigErrors::AddGlobal(const std::string& message) {
  errors_.push_back(file_ + ": " + message);
}

std::string ConfigErrors::ToString() const {
  std::string out;
  for (const auto& e : errors_) {
    out += e;
    out += '\n';
  }
  return out;
}

ConfigNode::ConfigNode(ConfigErrors* errors, YAML::Node node, std::string path)
    : errors_(errors), node_(std::move(node)), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_->Add(node_.Mark(), path_, "expected a mapping");
    node_ = YAML::Node();
  }
}

std::string ConfigNode::KeyPath(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigNode::Error(const std::string& key, const std::string& message) {
  const YAML::Node& map = node_;
  YAML::Node n = map.IsMap() ? map[key] : YAML::Node();
  errors_->Add(n.IsDefined() ? n.Mark() : node_.Mark(), KeyPath(key), message);
}

void ConfigNode::Warn(const std::string& key, const std::string& message) {
  const YAML::Node& map = node_;
  YAML::Node n = map.IsMap() ? map[key] : YAML::Node();
  errors_->AddWarning(n.IsDefined() ? n.Mark() : node_.Mark(), KeyPath(key), message);
}

bool ConfigNode::IsMapping(const std::string& key) const {
  const YAML::Node& map = node_;
  return map.IsMap() && map[key].IsDefined() && map[key].IsMap();
}

std::vector<std::string> ConfigNode::Keys() const {
  std::vector<std::string> keys;
  if (!node_.IsMap()) return keys;
  for (const auto& kv : node_) keys.push_back(kv.first.Scalar());
  return keys;
}

bool ConfigNode::Has(const std::string& key) const {
  const YAML::Node& map = node_;
  return map.IsMap() && map[key].IsDefined() && !map[key].IsNull();
}

YAML::Node ConfigNode::Lookup(const std::string& key) {
  known_.insert(key);
  if (!node_.IsMap()) return YAML::Node();
  // Const access: yaml-cpp's non-const operator[] would insert the key into the document.
  const YAML::Node& map = node_;
  YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return YAML::Node();
  return n;
}

std::string ConfigNode::String(const std::string& key, const std::string& fallback) {
  YAML::Node n = Lookup(key);
  if (Absent(n)) return fallback;
  if (!n.IsScalar()) {
    errors_->Add(n.Mark(), KeyPath(key), "expected a string");
    return fallback;
  }
  return n.Scalar();
}

std::string ConfigNode::RequiredString(const std::string& key) {
  YAML::Node n = Lookup(key);
  if (Absent(n)) {
    errors_->Add(node_.Mark(), KeyPath(key), "required key is missing");
    return "";
  }
  std::string v = String(key);
  if (v.empty()) errors_->Add(n.Mark(), KeyPath(key), "must not be empty");
  return v;
}

int64_t ConfigNode::Int(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  YAML::Node n = Lookup(key);
  if (Absent(n)) return fallback;
  int64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
    errors_->Add(n.Mark(), KeyPath(key), "expected an integer, got '" +
                                             (n.IsScalar() ? n.Scalar() : std::string("?")) + "'");
    return fallback;
  }
  if (v < min || v > max) {
    errors_->Add(n.Mark(), KeyPath(key),
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(v));
    return fallback;
  }
  return v;
}

bool ConfigNode::Bool(const std::string& key, bool fallback) {
  YAML::Node n = Lookup(key);
  if (Absent(n)) return fallback;
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    errors_->Add(n.Mark(), KeyPath(key), "expected true or false");
    return fallback;
  }
  return v;
}

std::vector<std::string> ConfigNode::StringList(const std::string& key) {
  YAML::Node n = Lookup(key);
  std::vector<std::string> out;
  if (Absent(n)) return out;
  if (n.IsScalar()) return {n.Scalar()};
  if (!n.IsSequence()) {
    errors_->Add(n.Mark(), KeyPath(key), "expected a list of strings");
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      errors_->Add(n[i].Mark(), KeyPath(key) + "[" + std::to_string(i) + "]", "expected a string");
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::map<std::string, std::string> ConfigNode::StringMap(const std::string& key) {
  YAML::Node n = Lookup(key);
  std::map<std::string, std::string> out;
  if (Absent(n)) return out;
  if (!n.IsMap()) {
    errors_->Add(n.Mark(), KeyPath(key), "expected a mapping");
    return out;
  }
  for (const auto& kv : n) {
    std::string k = kv.first.Scalar();
    if (!kv.second.IsScalar()) {
      errors_->Add(kv.second.Mark(), KeyPath(key) + "." + k, "expected a scalar value");
      continue;
    }
    out[k] = kv.second.Scalar();
  }
  return out;
}

ConfigNode ConfigNode::Child(const std::string& key) {
  return ConfigNode(errors_, Lookup(key), KeyPath(key));
}

std::vector<ConfigNode> ConfigNode::ChildList(const std::string& key) {
  YAML::Node n = Lookup(key);
  std::vector<ConfigNode> out;
  if (Absent(n)) return out;
  if (!n.IsSequence()) {
    errors_->Add(n.Mark(), KeyPath(key), "expected a list");
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    out.emplace_back(errors_, n[i], KeyPath(key) + "[" + std::to_string(i) + "]");
  }
  return out;
}

void ConfigNode::Finish() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    std::string k = kv.first.Scalar();
    if (!known_.count(k)) errors_->Add(kv.first.Mark(), KeyPath(k), "unknown key");
  }
}

YAML::Node LoadYamlFile(const std::string& file, ConfigErrors* errors) {
  std::ifstream in(file);
  if (!in) {
    errors->AddGlobal("cannot open file");
    return YAML::Node();
  }
  try {
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    errors->Add(e.mark, "", "YAML syntax error: " + e.msg);
    return YAML::Node();
  }
}

}  // namespace tripline::config
