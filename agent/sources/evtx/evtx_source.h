#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/normalize/windows/windows_event_normalizer.h"
#include "agent/sources/source.h"

namespace tripline::agent {

class EvtxFile;

struct EvtxSourceConfig {
  std::string name;
  std::string path;  // one .evtx file, or a folder: its *.evtx files (not recursive), by name
  std::chrono::milliseconds poll_interval{5000};  // how often files are checked for change
  bool read_recovered = true;  // also records libevtx recovers from unused chunk space
};

// Reads Windows event log files (.evtx exports, copies of live logs) through libevtx. Every
// record becomes an Event: its XML is read by EvtxXmlReader and normalized by
// WindowsEventNormalizer (Sysmon 1 -> ProcessStart, ...). Envelope: source.kind EVTX,
// position = the record identifier of the record header (libevtx's; equal to the XML
// EventRecordID in a live log, renumbered from 1 by "save filtered log" exports, in which case
// the XML's value is added as label `evtx.event_record_id`), file_id = a fingerprint of the log
// (path plus the identifier and time of its oldest record: stable while the log grows, new when
// it is cleared), `original` = the record's XML cut at 16 KiB. Records are emitted in
// identifier order.
// Recovered records carry the label `evtx.recovered=true`; the ones libevtx cannot read are only
// counted (recovered_unreadable()), as such leftovers are expected in any used log.
//
// A file is (re)indexed when first seen and whenever its size or mtime changed, at most once per
// poll_interval; only records after the last one emitted are read, so a log that grows (exported
// again, a live copy refreshed) yields just its new records. A log that was cleared (a record
// at or below the resume point is newer than it) is read from its start again.
//
// Errors: a file libevtx cannot open, a chunk the header lists that is missing, cut or damaged
// (bad signature or checksum: evtx_chunks.h; counted once per file), a record that cannot be read
// or rendered: counted in read_errors, logged with file and chunk or record index, and skipped.
// The other chunks and files are read as usual. Nothing aborts the source.
//
// State (DurableState): text, `tripline-evtx-state v1` then one line per file:
// `record_id \t written_filetime \t file_id \t path` of its last durable record.
//
// Lifecycle, thread: as Source (the agent's main loop only). Owns its open libevtx handles (one
// per file with records still to read).
class EvtxSource final : public Source {
 public:
  EvtxSource(EvtxSourceConfig config, std::string agent_id, v1::Host host);
  ~EvtxSource() override;

  const std::string& name() const override { return config_.name; }
  absl::Status Start(std::string_view saved_state) override;
  absl::StatusOr<size_t> Poll(size_t budget, const EmitFn& emit) override;
  std::string DurableState(uint64_t count) override;
  const SourceCounters& counters() const override { return counters_; }

  uint64_t recovered_unreadable() const { return recovered_unreadable_; }
  const WindowsEventNormalizer::Counters& normalizer_counters() const {
    return normalizer_.counters();
  }

 private:
  struct Cursor {  // the last record emitted or made durable, per file
    uint64_t record_id = 0;
    uint64_t filetime = 0;
    std::string file_id;
  };
  struct Planned {
    uint64_t record_id;
    uint64_t filetime;
    int index;
    bool recovered;
  };
  struct Tracked {
    std::string path;
    uintmax_t size = 0;
    int64_t mtime = 0;
    bool indexed = false;
    std::unique_ptr<EvtxFile> file;  // open while `plan` has records left
    std::vector<Planned> plan;
    size_t next = 0;
    Cursor emitted;
    std::set<size_t> damaged_chunks;   // already counted and logged
    std::set<int> unreadable_headers;  // record indexes already counted and logged
  };
  struct Pending {
    uint64_t seq;
    std::string path;
    Cursor cursor;
  };

  void Scan();
  void Index(Tracked& tracked);
  void CheckChunks(Tracked& tracked);
  std::vector<Planned> ListRecords(Tracked& tracked, const EvtxFile& file);
  Cursor ResumePoint(const Tracked& tracked, const std::vector<Planned>& records) const;
  absl::Status EmitNext(Tracked& tracked, size_t& consumed, const EmitFn& emit);
  void FillEnvelope(const Tracked& tracked, const Planned& record, const std::string& xml);

  EvtxSourceConfig config_;
  std::string agent_id_;
  v1::Host host_;
  std::map<std::string, Tracked> files_;   // by path, in name order
  std::map<std::string, Cursor> durable_;  // by path: what DurableState() reports
  std::deque<Pending> pending_;            // emitted, not yet durable
  uint64_t emitted_ = 0;
  std::chrono::steady_clock::time_point next_scan_{};
  WindowsEventNormalizer normalizer_;
  SourceCounters counters_;
  uint64_t recovered_unreadable_ = 0;
  v1::Event event_;  // reused for every record
};

}  // namespace tripline::agent
