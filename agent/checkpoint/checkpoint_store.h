#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace tripline::agent {

// Where a source stands: the file it was reading and the offset of the first byte whose record
// has not yet been delivered (everything before it reached Kafka).
struct Checkpoint {
  std::string file_id;
  uint64_t offset = 0;
};

// The agent's checkpoint file, one per agent data dir.
//
// Format (text, one source per line, written whole to `<file>.tmp`, fsync'ed, then renamed over
// `<file>` so a crash leaves either the old or the new file, never a torn one):
//   tripline-checkpoint v1
//   <source name>\t<file id>\t<offset>
// Thread: owned by the agent's main loop; not thread-safe.
class CheckpointStore {
 public:
  explicit CheckpointStore(std::string path) : path_(std::move(path)) {}

  // Reads the file; a missing file is an empty store. A corrupt file is an error (the agent
  // refuses to guess where it was).
  [[nodiscard]] absl::Status Load();
  [[nodiscard]] absl::Status Save() const;

  const Checkpoint* Find(const std::string& source) const;
  void Set(const std::string& source, Checkpoint checkpoint);

 private:
  std::string path_;
  std::map<std::string, Checkpoint> checkpoints_;
};

}  // namespace tripline::agent
