#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace tripline::agent {

// One record as read from an EVTX file.
struct EvtxRecordInfo {
  uint64_t record_id = 0;
  uint64_t written_filetime = 0;  // record header time (FILETIME)
};

// An open EVTX file, through libevtx (RAII over libevtx_file_t). Records are addressed by their
// index in the file's chunk order; `recovered` selects the records libevtx found in unused chunk
// space (older copies, partly overwritten records), which it may fail to read.
//
// Lifecycle: Open() returns an open file; closed when destroyed. Thread: one at a time (libevtx
// handles are not shared). libevtx reads chunks lazily: a chunk that cannot be read simply has
// no records, which is why CompleteChunks() is compared with the header's count by the caller.
class EvtxFile {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<EvtxFile>> Open(const std::string& path);
  ~EvtxFile();
  EvtxFile(const EvtxFile&) = delete;
  EvtxFile& operator=(const EvtxFile&) = delete;

  int RecordCount(bool recovered) const;
  // Header fields of record `index` (cheap: no XML is built).
  [[nodiscard]] absl::StatusOr<EvtxRecordInfo> Info(int index, bool recovered) const;
  // The record's XML rendering (UTF-8).
  [[nodiscard]] absl::StatusOr<std::string> Xml(int index, bool recovered) const;

 private:
  explicit EvtxFile(void* file) : file_(file) {}
  void* file_;  // libevtx_file_t*, kept opaque so that libevtx.h stays out of this header
};

}  // namespace tripline::agent
