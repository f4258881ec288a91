#include "agent/sources/fim/tree_walker.h"

#include "agent/sources/fim/fim_fs.h"

namespace tripline::agent {
namespace {

// Lists one folder: files into `result`, sub-folders onto `todo`. False when it cannot be read.
bool ListDir(const std::string& dir, const PathFilter& filter, size_t max_files, WalkResult* result,
             std::vector<std::string>* todo) {
  return fim_fs::ListFolder(
      dir, [&](std::string path, fim_fs::EntryKind kind, const FileStat& stat) {
        if (kind == fim_fs::EntryKind::kFolder) {
          if (filter.IncludeDir(path)) todo->push_back(std::move(path));
        } else if (kind == fim_fs::EntryKind::kFile && filter.IncludeFile(path)) {
          if (result->files.size() >= max_files) {
            result->truncated = true;
            return false;
          }
          result->files.emplace(std::move(path), stat);
        }
        return true;
      });
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
