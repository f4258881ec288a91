#include "common/config/file_safety.h"

#include <sys/stat.h>

#include "common/platform/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tripline::config {

std::string ModeString(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

#ifdef _WIN32
// Windows has ACLs, not mode bits: only existence is checked here (README: what Windows verifies).
absl::Status CheckFileSafety(const std::string& path, FileRole role, std::string* warning) {
  if (warning != nullptr) warning->clear();
  if (!platform::Readable(path)) return absl::NotFoundError("'" + path + "': cannot be opened");
  return absl::OkStatus();
}
#else
absl::Status CheckFileSafety(const std::string& path, FileRole role, std::string* warning) {
  if (warning != nullptr) warning->clear();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    std::string what = "'" + path + "': " + std::strerror(err);
    return err == ENOENT ? absl::NotFoundError(what) : absl::PermissionDeniedError(what);
  }
  const std::string mode = ModeString(st.st_mode);
  const bool dir = S_ISDIR(st.st_mode);
  // A world-writable folder with the sticky bit (/tmp) only lets users replace their own files;
  // anything else world-writable can be rewritten by any local account.
  if ((st.st_mode & S_IWOTH) != 0 && !(dir && (st.st_mode & S_ISVTX) != 0)) {
    const char* what = role == FileRole::kConfig    ? "any local user could change the configuration"
                       : role == FileRole::kTrusted ? "any local user could replace what it trusts"
                                                    : "any local user could replace the secret";
    return absl::FailedPreconditionError("'" + path + "' is world-writable (mode " + mode + "): " +
                                         what + "; refusing it. Fix: chmod o-w '" + path + "'");
  }
  if (role == FileRole::kSecret && !dir && (st.st_mode & S_IROTH) != 0 && warning != nullptr) {
    *warning = "'" + path + "' holds a secret and is readable by every local user (mode " + mode +
               "); consider: chmod o-r '" + path + "'";
  }
  return absl::OkStatus();
}
#endif

}  // namespace tripline::config
