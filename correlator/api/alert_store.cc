#include "correlator/api/alert_store.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <filesystem>

namespace tripline::correlator {
namespace {

int64_t CreatedMicros(const v1::Alert& a) {
  return a.created_time().seconds() * 1'000'000 + a.created_time().nanos() / 1000;
}

std::string TimeKey(const v1::Alert& a) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "t/%020lld/", static_cast<long long>(CreatedMicros(a)));
  return prefix + a.alert_id();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& dir,
                                                            size_t max_alerts) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 32;
  options.keep_log_file_num = 2;
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir, &db);
  if (!st.ok()) return absl::InternalError("alert store " + dir + ": " + st.ToString());
  std::unique_ptr<AlertStore> store(new AlertStore(db, max_alerts));
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/"); it->Next()) ++store->count_;
  return store;
}

AlertStore::~AlertStore() {
  (void)db_->Close();
  delete db_;
}

absl::Status AlertStore::Put(const v1::Alert& alert) {
  std::string key = TimeKey(alert);
  std::string index = "i/" + alert.alert_id();
  rocksdb::WriteBatch batch;
  std::string old;
  bool replaced = db_->Get(rocksdb::ReadOptions(), index, &old).ok();
  if (replaced) (void)batch.Delete(old);
  (void)batch.Put(key, alert.SerializeAsString());
  (void)batch.Put(index, key);
  rocksdb::Status st = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!st.ok()) return absl::InternalError("alert store: " + st.ToString());
  if (!replaced) ++count_;
  if (count_ > max_alerts_) Trim();
  return absl::OkStatus();
}

void AlertStore::Trim() {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  size_t excess = count_ - max_alerts_ + max_alerts_ / 10;  // trim in steps, not per alert
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/") && excess > 0; it->Next()) {
    v1::Alert a;
    if (a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      (void)batch.Delete("i/" + a.alert_id());
    }
    (void)batch.Delete(it->key());
    --excess;
    --count_;
  }
  (void)db_->Write(rocksdb::WriteOptions(), &batch);
}

std::vector<v1::Alert> AlertStore::List(size_t limit, v1::Severity min, int64_t since_us) const {
  std::vector<v1::Alert> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev("t/~"); it->Valid() && it->key().starts_with("t/") && out.size() < limit;
       it->Prev()) {
    v1::Alert a;
    if (!a.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    if (CreatedMicros(a) < since_us) break;  // newest first: the rest is older
    if (min != v1::SEVERITY_UNSPECIFIED && a.severity() < min) continue;
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<v1::Alert> AlertStore::Get(const std::string& alert_id) const {
  std::string key, value;
  if (!db_->Get(rocksdb::ReadOptions(), "i/" + alert_id, &key).ok()) return std::nullopt;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
  v1::Alert a;
  if (!a.ParseFromString(value)) return std::nullopt;
  return a;
}

}  // namespace tripline::correlator
