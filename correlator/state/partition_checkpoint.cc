#include "correlator/state/partition_checkpoint.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <filesystem>

namespace tripline::correlator {
namespace {

constexpr char kOffsetKey[] = "offset";
constexpr char kStateKey[] = "state";

absl::Status FromRocks(const rocksdb::Status& st, const std::string& what) {
  if (st.ok()) return absl::OkStatus();
  return absl::InternalError(what + ": " + st.ToString());
}

}  // namespace

absl::StatusOr<std::unique_ptr<PartitionCheckpoint>> PartitionCheckpoint::Open(
    const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  // A handful of keys rewritten often: small memtables, few files, no compression of the
  // (already compact) state.
  options.write_buffer_size = 8 << 20;
  options.max_write_buffer_number = 2;
  options.max_open_files = 16;
  options.keep_log_file_num = 2;
  options.compression = rocksdb::kNoCompression;
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, &db);
  TRIPLINE_RETURN_IF_ERROR(FromRocks(st, "state checkpoint " + dir));
  return std::unique_ptr<PartitionCheckpoint>(new PartitionCheckpoint(dir, db));
}

PartitionCheckpoint::~PartitionCheckpoint() {
  if (db_ != nullptr) {
    (void)db_->Close();
    delete db_;
  }
}

absl::StatusOr<std::optional<PartitionCheckpoint::Saved>> PartitionCheckpoint::Load() const {
  std::string offset;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), kOffsetKey, &offset);
  if (st.IsNotFound()) return std::optional<Saved>();
  TRIPLINE_RETURN_IF_ERROR(FromRocks(st, dir_ + ": read offset"));
  Saved saved;
  auto [ptr, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), saved.next_offset);
  if (ec != std::errc() || ptr != offset.data() + offset.size()) {
    return absl::DataLossError(dir_ + ": offset '" + offset + "' is not a number");
  }
  st = db_->Get(rocksdb::ReadOptions(), kStateKey, &saved.state);
  if (!st.IsNotFound()) TRIPLINE_RETURN_IF_ERROR(FromRocks(st, dir_ + ": read state"));
  return std::optional<Saved>(std::move(saved));
}

absl::Status PartitionCheckpoint::Save(int64_t next_offset, std::string_view state) {
  rocksdb::WriteBatch batch;
  std::string offset = std::to_string(next_offset);
  TRIPLINE_RETURN_IF_ERROR(FromRocks(batch.Put(kStateKey, rocksdb::Slice(state.data(), state.size())),
                                     dir_ + ": batch"));
  TRIPLINE_RETURN_IF_ERROR(FromRocks(batch.Put(kOffsetKey, offset), dir_ + ": batch"));
  rocksdb::WriteOptions options;
  options.sync = true;  // the offset is committed to Kafka right after: it must survive a crash
  return FromRocks(db_->Write(options, &batch), dir_ + ": write checkpoint");
}

}  // namespace tripline::correlator
