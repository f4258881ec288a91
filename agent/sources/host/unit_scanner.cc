#include "agent/sources/host/unit_scanner.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "agent/sources/host/proc_reader.h"
#include "agent/sources/host/unit_file.h"
#include "common/hash.h"

namespace tripline::agent {
namespace {

constexpr size_t kMaxFileBytes = 1024 * 1024;

// Entry names of a folder, sorted (an absent folder is empty).
std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return names;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsMasked(const std::string& path) {
  char buf[64];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  return n == 9 && std::string_view(buf, 9) == "/dev/null";
}

std::string LinkTargetName(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  std::string_view t(buf, n > 0 ? static_cast<size_t>(n) : 0);
  size_t slash = t.rfind('/');
  return std::string(slash == std::string_view::npos ? t : t.substr(slash + 1));
}

bool Enabled(const std::set<std::string>& enabled, const std::string& name) {
  if (enabled.count(name) != 0) return true;
  size_t at = name.find("@.");
  if (at == std::string::npos) return false;  // templates: any instance enables them
  std::string prefix = name.substr(0, at + 1);
  auto it = enabled.lower_bound(prefix);
  return it != enabled.end() && it->compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

UnitScanner::UnitScanner(std::vector<std::string> unit_dirs, std::vector<std::string> sysv_dirs)
    : unit_dirs_(std::move(unit_dirs)), sysv_dirs_(std::move(sysv_dirs)) {}

std::map<std::string, ServiceUnit> UnitScanner::Scan(uint64_t* bytes) const {
  std::map<std::string, ServiceUnit> out;
  uint64_t read = 0;
  ScanSystemd(out, read);
  for (const auto& dir : sysv_dirs_) ScanSysv(dir, out, read);
  if (bytes != nullptr) *bytes += read;
  return out;
}

std::set<std::string> UnitScanner::EnabledUnits() const {
  std::set<std::string> enabled;
  for (const auto& dir : unit_dirs_) {
    for (const auto& sub : List(dir)) {
      if (!sub.ends_with(".wants") && !sub.ends_with(".requires")) continue;
      for (auto& link : List(dir + "/" + sub)) enabled.insert(std::move(link));
    }
  }
  return enabled;
}

void UnitScanner::ScanSystemd(std::map<std::string, ServiceUnit>& out, uint64_t& bytes) const {
  std::set<std::string> enabled = EnabledUnits();
  for (const auto& dir : unit_dirs_) {
    for (const auto& name : List(dir)) {
      if (!name.ends_with(".service") || out.count("systemd:" + name) != 0) continue;
      std::string path = dir + "/" + name;
      if (!IsMasked(path) && !IsFile(path)) continue;
      ServiceUnit unit = ReadUnit(dir, name, bytes, enabled);
      out.emplace(unit.key(), std::move(unit));
    }
  }
}

ServiceUnit UnitScanner::ReadUnit(const std::string& dir, const std::string& name,
                                  uint64_t& bytes, const std::set<std::string>& enabled) const {
  ServiceUnit unit;
  unit.type = "systemd";
  unit.name = name;
  unit.path = dir + "/" + name;
  if (IsMasked(unit.path)) {
    unit.start_type = "masked";
    unit.sha256 = Sha256Hex("masked");
    return unit;
  }
  UnitFile parsed;
  std::string content = ReadSmallFile(unit.path, kMaxFileBytes).value_or("");
  std::string hashed = content;
  parsed.Apply(content);
  std::map<std::string, std::string> dropins;  // file name → path; the first folder wins
  for (const auto& d : unit_dirs_) {
    std::string ddir = d + "/" + name + ".d";
    if (!IsDir(ddir)) continue;
    for (const auto& f : List(ddir)) {
      if (f.ends_with(".conf")) dropins.emplace(f, ddir + "/" + f);
    }
  }
  for (const auto& [file, path] : dropins) {
    std::string text = ReadSmallFile(path, kMaxFileBytes).value_or("");
    parsed.Apply(text);
    hashed += std::string(1, '\0') + path + std::string(1, '\0') + text;
  }
  bytes += hashed.size();
  unit.sha256 = Sha256Hex(hashed);
  unit.user = parsed.user();
  unit.executable = parsed.executable();
  unit.exec_start = parsed.exec_start();
  unit.wanted_by = parsed.wanted_by();
  unit.description = parsed.description();
  unit.start_type = Enabled(enabled, name)          ? "enabled"
                    : parsed.has_install_section() ? "disabled"
                                                   : "static";
  return unit;
}

void UnitScanner::ScanSysv(const std::string& dir, std::map<std::string, ServiceUnit>& out,
                           uint64_t& bytes) const {
  std::set<std::string> started;  // scripts linked as S?? from an rc?.d folder
  std::string parent = dir.substr(0, dir.find_last_of('/'));
  for (const char* rc : {"rc0.d", "rc1.d", "rc2.d", "rc3.d", "rc4.d", "rc5.d", "rc6.d", "rcS.d"}) {
    std::string rcdir = parent + "/" + rc;
    for (const auto& link : List(rcdir)) {
      if (link.starts_with("S")) started.insert(LinkTargetName(rcdir + "/" + link));
    }
  }
  for (const auto& name : List(dir)) {
    std::string path = dir + "/" + name;
    if (name.starts_with(".") || name == "README" || name == "skeleton" || !IsFile(path)) continue;
    if (out.count("sysv:" + name) != 0) continue;
    std::string content = ReadSmallFile(path, kMaxFileBytes).value_or("");
    bytes += content.size();
    UnitFile parsed;
    parsed.ApplySysvScript(content);
    ServiceUnit unit;
    unit.type = "sysv";
    unit.name = name;
    unit.path = path;
    unit.sha256 = Sha256Hex(content);
    unit.start_type = started.count(name) != 0 ? "enabled" : "disabled";
    unit.executable = path;
    unit.exec_start = path + " start";
    unit.description = parsed.description();
    out.emplace(unit.key(), std::move(unit));
  }
}

}  // namespace tripline::agent
