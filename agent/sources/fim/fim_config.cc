#include "agent/sources/fim/fim_config.h"

#include <algorithm>
#include <cctype>

#include "common/platform/file.h"

namespace tripline::agent {
namespace {

// Whether root `a` is root `b` or inside it, however each is spelled ("/www/"; Windows: any case,
// either separator).
bool RootInside(const std::string& a, const std::string& b) {
#ifdef _WIN32
  auto lower = [](std::string s) {
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return s;
  };
  return PathUnder(lower(NormalizeRoot(a)), lower(NormalizeRoot(b)));
#else
  return PathUnder(NormalizeRoot(a), NormalizeRoot(b));
#endif
}

}  // namespace

absl::Status ValidateFimConfig(const FimConfig& config, std::string_view where) {
  std::vector<std::string> problems;
  auto problem = [&](std::string_view field, std::string_view what) {
    problems.push_back(std::string(where) + "." + std::string(field) + ": " + std::string(what));
  };
  if (config.name.empty()) problem("name", "must not be empty");
  if (config.roots.empty()) problem("roots", "at least one folder is required");
  for (size_t i = 0; i < config.roots.size(); ++i) {
    const std::string& root = config.roots[i];
    std::string field = "roots[" + std::to_string(i) + "]";
    if (!platform::IsAbsolutePath(root)) problem(field, "must be an absolute path");
    for (size_t j = 0; j < config.roots.size(); ++j) {
      if (i != j && RootInside(root, config.roots[j])) {
        problem(field, "is inside roots[" + std::to_string(j) + "] (" + config.roots[j] + ")");
      }
    }
  }
  for (size_t i = 0; i < config.include_extensions.size(); ++i) {
    const std::string& ext = config.include_extensions[i];
    bool lower = std::none_of(ext.begin(), ext.end(), [](char c) { return std::isupper(c); });
    if (ext.empty() || ext.front() == '.' || !lower) {
      problem("include_extensions[" + std::to_string(i) + "]", "lower case, without the dot");
    }
  }
  if (!platform::IsAbsolutePath(config.baseline_path)) {
    problem("baseline_path", "must be an absolute path");
  }
  if (config.max_hash_bytes == 0) problem("max_hash_bytes", "must be > 0");
  if (config.scan_interval.count() <= 0) problem("scan_interval", "must be > 0");
  if (config.max_watches == 0) problem("max_watches", "must be > 0");
  if (config.max_files == 0) problem("max_files", "must be > 0");
  if (problems.empty()) return absl::OkStatus();
  std::string all;
  for (const std::string& p : problems) all += (all.empty() ? "" : "\n") + p;
  return absl::InvalidArgumentError(all);
}

PathFilter::PathFilter(std::vector<std::string> include_extensions,
                       std::vector<std::string> exclude_globs)
    : extensions_(std::move(include_extensions)), excludes_(std::move(exclude_globs)) {}

bool PathFilter::Excluded(std::string_view path) const {
  if (excludes_.empty()) return false;
  std::string full(path);
  std::string name(BaseName(path));
  for (const std::string& glob : excludes_) {
    if (platform::GlobMatch(glob, full) || platform::GlobMatch(glob, name)) return true;
  }
  return false;
}

bool PathFilter::IncludeFile(std::string_view path) const {
  if (Excluded(path)) return false;
  if (extensions_.empty()) return true;
  std::string ext = LowerExtension(path);
  return std::find(extensions_.begin(), extensions_.end(), ext) != extensions_.end();
}

bool PathFilter::IncludeDir(std::string_view path) const { return !Excluded(path); }

bool PathFilter::IncludeFoldersBetween(std::string_view root, std::string_view path,
                                       char sep) const {
  if (excludes_.empty()) return true;
  for (size_t end = path.rfind(sep); end != std::string_view::npos && end > root.size();
       end = path.rfind(sep, end - 1)) {
    if (Excluded(path.substr(0, end))) return false;
  }
  return true;
}

std::string LowerExtension(std::string_view path) {
  std::string_view name = BaseName(path);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool PathUnder(std::string_view path, std::string_view dir, char sep) {
  if (path.size() < dir.size() || path.substr(0, dir.size()) != dir) return false;
  // A root that ends with its separator ("/", "C:\") is a prefix of everything below it.
  return path.size() == dir.size() || path[dir.size()] == sep ||
         (!dir.empty() && dir.back() == sep);
}

}  // namespace tripline::agent
