#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/fault/line_writer.h"

namespace tripline::fault {

// A consumer of one topic, assigned every partition from the beginning (no group, no commits),
// that keeps its position between calls, so a test can read a growing topic in steps.
// Thread: one thread.
class TopicReader {
 public:
  using OnRecord = std::function<void(const std::string& key, const std::string& value)>;
  TopicReader(std::string bootstrap, std::string topic);
  ~TopicReader();
  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  // Reads until `done()` holds (checked after every record and when idle) or `timeout` passes.
  bool ReadUntil(const OnRecord& on_record, const std::function<bool()>& done,
                 std::chrono::milliseconds timeout);
  // Reads until every partition is at its end (after the producers stopped), bounded.
  bool ReadToEnd(const OnRecord& on_record, std::chrono::milliseconds timeout);

 private:
  bool Assign(std::chrono::milliseconds timeout);
  // Polls once; true when a record or an end of partition came.
  bool PollOnce(const OnRecord& on_record, int timeout_ms);

  std::string bootstrap_, topic_;
  void* consumer_ = nullptr;  // rd_kafka_t
  std::vector<int32_t> partitions_;
  std::set<int32_t> at_end_;
};

// The events topic, counted by content (the line number in url_query) and by event_id.
class EventTally {
 public:
  void Add(const std::string& value);

  uint64_t records() const { return records_; }
  uint64_t bad() const { return bad_; }
  // Lines 0..lines-1 that are on the topic at least once.
  uint64_t Delivered(uint64_t lines) const;
  std::vector<uint64_t> Missing(uint64_t lines) const;
  // Records beyond the first with the same event_id (at-least-once re-sends: harmless).
  uint64_t SameIdDuplicates() const { return records_ - by_id_.size(); }
  // Lines that arrived under more than one event_id (a real duplicate: never allowed).
  uint64_t NewIdDuplicates() const;

 private:
  std::map<uint64_t, std::set<std::string>> ids_by_line_;
  std::map<std::string, uint64_t> by_id_;
  uint64_t records_ = 0, bad_ = 0;
};

// Alerts seen by one receiver (the JSON lines file, the alerts topic, syslog), by alert id.
class AlertTally {
 public:
  // Parses an ECS alert document; false when it is not one (a torn last line).
  bool AddJson(const std::string& json);
  void AddId(const std::string& alert_id) { ++copies_[alert_id]; }

  std::set<std::string> Ids() const;
  uint64_t copies() const;  // every copy of every alert
  uint64_t torn() const { return torn_; }

  // Checks the alerts against what the writer wrote: one alert id per marker line and per
  // sequence whose three steps were written; nothing else. Fills the figures and the problems.
  struct Check {
    uint64_t expected = 0, raised = 0, extra_ids = 0, unexpected = 0;
    std::vector<std::string> problems;
  };
  // Lines in `lost` (counted drops) are not expected to raise anything.
  Check Against(const LineWriter& writer, const std::string& sequence_rule_id,
                const std::set<uint64_t>& lost = {}) const;
  // The newest line whose marker alert is here (-1: none): every line before it was evaluated,
  // since one agent's events are one partition, in order.
  int64_t NewestMarkerLine(const std::string& sequence_rule_id) const;

 private:
  struct Raised {
    std::string rule_id;
    int64_t first_line = -1;  // the line of the alert's first contributing event
  };
  std::map<std::string, int> copies_;
  std::map<std::string, Raised> raised_;
  uint64_t torn_ = 0;
};

// One row of the fault table. Appended to $TRIPLINE_FAULT_RESULTS (one TSV line per test; the
// `fault_summary` test prints them as a table) and printed.
struct FaultRow {
  std::string fault;
  uint64_t sent = 0, delivered = 0, same_id_dups = 0, new_id_dups = 0, lost = 0, dropped = 0;
  uint64_t alerts_expected = 0, alerts_raised = 0, alerts_received = 0, alert_copies = 0;
  double seconds = 0;
  bool ok = false;
};
void Report(const FaultRow& row);

}  // namespace tripline::fault
