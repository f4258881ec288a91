#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tripline/v1/alert.pb.h"

namespace rocksdb {
class DB;
}

namespace tripline::correlator {

// The recent alerts of this correlator instance, on disk (RocksDB at `<state_dir>/alerts`), for
// ListAlerts and GetAlert. Keys: "t/<created µs, 20 digits>/<alert id>" -> Alert bytes, and
// "i/<alert id>" -> the t/ key. Bounded to `max_alerts`: the oldest are deleted past it. An alert
// raised again after a crash (same id) replaces its entry.
// Thread-safe: Put() from the correlator's thread, reads from gRPC threads (RocksDB handles the
// concurrency).
class AlertStore {
 public:
  static absl::StatusOr<std::unique_ptr<AlertStore>> Open(const std::string& dir,
                                                          size_t max_alerts = 100'000);
  ~AlertStore();

  [[nodiscard]] absl::Status Put(const v1::Alert& alert);
  // Newest first, at most `limit`, severity at least `min`, created at or after `since_us`.
  std::vector<v1::Alert> List(size_t limit, v1::Severity min, int64_t since_us) const;
  std::optional<v1::Alert> Get(const std::string& alert_id) const;

 private:
  AlertStore(rocksdb::DB* db, size_t max_alerts) : db_(db), max_alerts_(max_alerts) {}
  void Trim();

  rocksdb::DB* db_;
  const size_t max_alerts_;
  size_t count_ = 0;  // entries, counted at open and kept by Put()/Trim()
};

}  // namespace tripline::correlator
