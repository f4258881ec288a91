#include "agent/sources/fim/tree_walker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace tripline::agent {
namespace {

struct CloseDir {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, CloseDir>;

// Lists one folder: files into `result`, sub-folders onto `todo`. False when it cannot be read.
bool ListDir(const std::string& dir, const PathFilter& filter, size_t max_files,
             WalkResult* result, std::vector<std::string>* todo) {
  DirPtr d(::opendir(dir.c_str()));
  if (!d) return errno == ENOENT;  // gone meanwhile: nothing below it any more
  while (struct dirent* ent = ::readdir(d.get())) {
    if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0) continue;
    std::string path = dir == "/" ? "/" + std::string(ent->d_name) : dir + "/" + ent->d_name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;  // vanished meanwhile
    if (S_ISDIR(st.st_mode)) {
      if (filter.IncludeDir(path)) todo->push_back(std::move(path));
    } else if (S_ISREG(st.st_mode) && filter.IncludeFile(path)) {
      if (result->files.size() >= max_files) {
        result->truncated = true;
        return true;
      }
      result->files.emplace(std::move(path), FileStatOf(st));
    }
  }
  return true;
}

}  // namespace

WalkResult WalkTree(const std::string& root, const PathFilter& filter, size_t max_files,
                    const std::function<void(const std::string& dir)>& on_dir) {
  WalkResult result;
  std::vector<std::string> todo{root};
  while (!todo.empty() && !result.truncated) {
    std::string dir = std::move(todo.back());
    todo.pop_back();
    on_dir(dir);
    ++result.dirs;
    if (!ListDir(dir, filter, max_files, &result, &todo)) result.failed_dirs.push_back(dir);
  }
  return result;
}

}  // namespace tripline::agent
