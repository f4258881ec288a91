#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace rocksdb {
class DB;
}

namespace tripline::correlator {

// The crash-safe checkpoint of one partition of the events topic: the engine state built from
// the partition's events and the offset of the first event it does not cover, written together
// (one RocksDB write batch, WAL fsync'ed) so that they can never disagree. DESIGN.md §4: the
// correlator commits a partition's offset to Kafka only after its checkpoint, and a worker that
// gets the partition (after a restart or a rebalance) restores the state and resumes at the
// checkpoint's offset, so a sequence that spans a crash still fires, once.
//
// One RocksDB per partition, `<state_dir>/<topic>-<partition>`: RocksDB allows one process per
// database, and a partition belongs to one group member at a time, so instances of the group
// that share `state_dir` (one host, or a shared volume) hand partitions over through it; the lock
// of a killed member is released by the kernel with its process.
//
// Stored keys (the format is this file's): "offset" = decimal next offset; "state" = the
// engine's own snapshot bytes (engine::Engine::SaveState()).
// Thread: the worker that owns the partition; opened at assignment, closed at revocation.
class PartitionCheckpoint {
 public:
  static absl::StatusOr<std::unique_ptr<PartitionCheckpoint>> Open(const std::string& dir);
  ~PartitionCheckpoint();

  struct Saved {
    int64_t next_offset = 0;
    std::string state;
  };
  // The last checkpoint, or nullopt when the partition never had one.
  absl::StatusOr<std::optional<Saved>> Load() const;
  // Replaces the checkpoint atomically and durably.
  [[nodiscard]] absl::Status Save(int64_t next_offset, std::string_view state);

  const std::string& dir() const { return dir_; }

 private:
  PartitionCheckpoint(std::string dir, rocksdb::DB* db) : dir_(std::move(dir)), db_(db) {}
  std::string dir_;
  rocksdb::DB* db_;
};

}  // namespace tripline::correlator
