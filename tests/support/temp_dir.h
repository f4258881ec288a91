#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace tripline::testing {

// A fresh directory under $TMPDIR, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
#ifdef _WIN32
    // No mkdtemp: a random name, created exclusively (create_directory is false if it exists).
    std::random_device rd;
    for (;;) {
      auto dir = std::filesystem::temp_directory_path() /
                 ("tripline-test-" + std::to_string(rd()) + std::to_string(rd()));
      if (std::filesystem::create_directory(dir)) {
        path_ = dir.string();
        break;
      }
    }
#else
    std::string tmpl = (std::filesystem::temp_directory_path() / "tripline-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
#endif
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

  // Writes (or with append=true, appends) `text` to `name` and returns its path.
  std::string Write(const std::string& name, const std::string& text, bool append = false) const {
    std::filesystem::create_directories(std::filesystem::path(File(name)).parent_path());
    // Binary: the bytes as given (Windows' text mode would turn "\n" into "\r\n").
    std::ofstream out(File(name), std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    out << text;
    return File(name);
  }

 private:
  std::string path_;
};

}  // namespace tripline::testing
