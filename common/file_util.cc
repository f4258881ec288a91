#include "common/file_util.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/platform/file.h"

namespace tripline {

absl::Status WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  absl::Status st = [&]() -> absl::Status {
    TRIPLINE_ASSIGN_OR_RETURN(platform::File f,
                              platform::File::Open(tmp, platform::File::Access::kWriteTruncate));
    TRIPLINE_RETURN_IF_ERROR(f.WriteAt(0, data));
    return f.Sync();
  }();
  if (!st.ok()) {
    // The half-written temporary goes too (on a full disk it holds the space).
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return st;
  }
  return platform::RenameOver(tmp, path);
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace tripline
