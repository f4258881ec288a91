#include "agent/checkpoint/checkpoint_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tripline::agent {
namespace {

constexpr std::string_view kMagic = "tripline-checkpoint v1";

absl::Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(path + ": write: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckpointStore::Load() {
  checkpoints_.clear();
  std::ifstream in(path_);
  if (!in) return absl::OkStatus();
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    return absl::DataLossError(path_ + ":1: not a Tripline checkpoint file");
  }
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    uint64_t offset = 0;
    if (t2 == std::string::npos) {
      return absl::DataLossError(path_ + ":" + std::to_string(lineno) + ": malformed line");
    }
    auto [p, ec] = std::from_chars(line.data() + t2 + 1, line.data() + line.size(), offset);
    if (ec != std::errc() || p != line.data() + line.size()) {
      return absl::DataLossError(path_ + ":" + std::to_string(lineno) + ": bad offset");
    }
    checkpoints_[line.substr(0, t1)] = Checkpoint{line.substr(t1 + 1, t2 - t1 - 1), offset};
  }
  return absl::OkStatus();
}

absl::Status CheckpointStore::Save() const {
  std::ostringstream out;
  out << kMagic << '\n';
  for (const auto& [name, cp] : checkpoints_) {
    out << name << '\t' << cp.file_id << '\t' << cp.offset << '\n';
  }
  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return absl::InternalError(tmp + ": open: " + std::strerror(errno));
  absl::Status st = WriteAll(fd, out.str(), tmp);
  if (st.ok() && ::fsync(fd) != 0) st = absl::InternalError(tmp + ": fsync: " + std::strerror(errno));
  ::close(fd);
  if (!st.ok()) return st;
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    return absl::InternalError(path_ + ": rename: " + std::strerror(errno));
  }
  return absl::OkStatus();
}

const Checkpoint* CheckpointStore::Find(const std::string& source) const {
  auto it = checkpoints_.find(source);
  return it == checkpoints_.end() ? nullptr : &it->second;
}

void CheckpointStore::Set(const std::string& source, Checkpoint checkpoint) {
  checkpoints_[source] = std::move(checkpoint);
}

}  // namespace tripline::agent
