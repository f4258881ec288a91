#include "tests/fault/fault_tally.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "tripline/v1/event.pb.h"

namespace tripline::fault {
namespace {

rd_kafka_t* Rk(void* p) { return static_cast<rd_kafka_t*>(p); }

// "n=123" -> 123; -1 when the query is not one of ours.
int64_t LineNumber(const std::string& query) {
  if (query.rfind("n=", 0) != 0 || query.size() < 3) return -1;
  char* end = nullptr;
  unsigned long long n = std::strtoull(query.c_str() + 2, &end, 10);
  return *end == '\0' ? static_cast<int64_t>(n) : -1;
}

}  // namespace

// --- TopicReader ------------------------------------------------------------------------------

TopicReader::TopicReader(std::string bootstrap, std::string topic)
    : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap_.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "fault-reader-unused", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err);
  consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
}

TopicReader::~TopicReader() {
  if (consumer_ != nullptr) {
    rd_kafka_consumer_close(Rk(consumer_));
    rd_kafka_destroy(Rk(consumer_));
  }
}

bool TopicReader::Assign(std::chrono::milliseconds timeout) {
  if (!partitions_.empty()) return true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(Rk(consumer_), topic_.c_str(), nullptr);
  while (partitions_.empty() && std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(Rk(consumer_), 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
          partitions_.push_back(md->topics[0].partitions[i].id);
        }
      }
      rd_kafka_metadata_destroy(md);
    }
    if (partitions_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  rd_kafka_topic_destroy(rkt);
  if (partitions_.empty()) return false;
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (int32_t p : partitions_) {
    rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  bool ok = rd_kafka_assign(Rk(consumer_), list) == RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_topic_partition_list_destroy(list);
  return ok;
}

bool TopicReader::PollOnce(const OnRecord& on_record, int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(Rk(consumer_), timeout_ms);
  if (m == nullptr) return false;
  bool got = false;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    at_end_.insert(m->partition);
    got = true;
  } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    at_end_.erase(m->partition);
    on_record(std::string(static_cast<const char*>(m->key), m->key_len),
              std::string(static_cast<const char*>(m->payload), m->len));
    got = true;
  }
  rd_kafka_message_destroy(m);
  return got;
}

bool TopicReader::ReadUntil(const OnRecord& on_record, const std::function<bool()>& done,
                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!Assign(timeout)) return false;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    PollOnce(on_record, 200);
  }
  return true;
}

bool TopicReader::ReadToEnd(const OnRecord& on_record, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!Assign(timeout)) return false;
  while (at_end_.size() < partitions_.size()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    PollOnce(on_record, 200);
  }
  return true;
}

// --- EventTally -------------------------------------------------------------------------------

void EventTally::Add(const std::string& value) {
  ++records_;
  v1::Event e;
  int64_t n = e.ParseFromString(value) && e.has_http() ? LineNumber(e.http().url_query()) : -1;
  if (n < 0) {
    ++bad_;
    return;
  }
  ids_by_line_[static_cast<uint64_t>(n)].insert(e.event_id());
  ++by_id_[e.event_id()];
}

uint64_t EventTally::Delivered(uint64_t lines) const {
  // O(1) in the common case: this is asked after every record consumed.
  if (ids_by_line_.empty() || ids_by_line_.rbegin()->first < lines) return ids_by_line_.size();
  uint64_t n = 0;
  for (auto it = ids_by_line_.begin(); it != ids_by_line_.end() && it->first < lines; ++it) ++n;
  return n;
}

std::vector<uint64_t> EventTally::Missing(uint64_t lines) const {
  std::vector<uint64_t> out;
  for (uint64_t i = 0; i < lines; ++i) {
    if (ids_by_line_.count(i) == 0) out.push_back(i);
  }
  return out;
}

uint64_t EventTally::NewIdDuplicates() const {
  uint64_t n = 0;
  for (const auto& [line, ids] : ids_by_line_) n += ids.size() > 1;
  return n;
}

// --- AlertTally -------------------------------------------------------------------------------

bool AlertTally::AddJson(const std::string& json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.contains("event") || !doc["event"].contains("id")) {
    ++torn_;
    return false;
  }
  std::string id = doc["event"]["id"];
  ++copies_[id];
  Raised r;
  r.rule_id = doc.value("/rule/id"_json_pointer, "");
  const auto& events = doc["tripline"]["events"];
  if (events.is_array() && !events.empty()) {
    r.first_line = LineNumber(events[0].value("/http/url_query"_json_pointer, ""));
  }
  raised_[id] = r;
  return true;
}

std::set<std::string> AlertTally::Ids() const {
  std::set<std::string> ids;
  for (const auto& [id, n] : copies_) ids.insert(id);
  return ids;
}

uint64_t AlertTally::copies() const {
  uint64_t n = 0;
  for (const auto& [id, c] : copies_) n += static_cast<uint64_t>(c);
  return n;
}

int64_t AlertTally::NewestMarkerLine(const std::string& sequence_rule_id) const {
  int64_t newest = -1;
  for (const auto& [id, r] : raised_) {
    if (r.rule_id != sequence_rule_id) newest = std::max(newest, r.first_line);
  }
  return newest;
}

AlertTally::Check AlertTally::Against(const LineWriter& writer, const std::string& sequence_rule_id,
                                      const std::set<uint64_t>& lost) const {
  const auto special = writer.special();
  const auto step_seq = writer.step_seq();
  // What must be raised: "m<line>" per marker, "s<seq>" per sequence with all three steps.
  std::map<std::string, std::set<std::string>> items;
  std::map<int, int> steps;
  for (const auto& [line, kind] : special) {
    if (kind == LineKind::kMarker && lost.count(line) == 0) items["m" + std::to_string(line)];
    if (kind != LineKind::kMarker && kind != LineKind::kPlain) ++steps[step_seq.at(line)];
  }
  for (const auto& [seq, count] : steps) {
    if (count == 3) items["s" + std::to_string(seq)];
  }
  Check c;
  c.expected = items.size();
  for (const auto& [id, r] : raised_) {
    auto kind = special.find(static_cast<uint64_t>(r.first_line));
    std::string item;
    if (r.first_line >= 0 && kind != special.end()) {
      if (kind->second == LineKind::kMarker && r.rule_id != sequence_rule_id) {
        item = "m" + std::to_string(r.first_line);
      } else if (kind->second == LineKind::kStepA && r.rule_id == sequence_rule_id) {
        item = "s" + std::to_string(step_seq.at(kind->first));
      }
    }
    auto it = items.find(item);
    if (it == items.end()) {
      ++c.unexpected;
      if (c.problems.size() < 10)
        c.problems.push_back("unexpected alert " + id + " rule " + r.rule_id + " line " +
                             std::to_string(r.first_line));
      continue;
    }
    it->second.insert(id);
  }
  for (const auto& [item, ids] : items) {
    c.raised += !ids.empty();
    if (ids.size() > 1) c.extra_ids += ids.size() - 1;
    if (ids.size() != 1 && c.problems.size() < 10) {
      c.problems.push_back(item + ": " + std::to_string(ids.size()) + " alert id(s)");
    }
  }
  return c;
}

// --- FaultRow ---------------------------------------------------------------------------------

void Report(const FaultRow& r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.0f\t%s\n",
                r.fault.c_str(), static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.delivered),
                static_cast<unsigned long long>(r.same_id_dups),
                static_cast<unsigned long long>(r.new_id_dups),
                static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.dropped),
                static_cast<unsigned long long>(r.alerts_expected),
                static_cast<unsigned long long>(r.alerts_raised),
                static_cast<unsigned long long>(r.alerts_received),
                static_cast<unsigned long long>(r.alert_copies), r.seconds, r.ok ? "ok" : "FAIL");
  std::printf(
      "[ fault    ] fault\tsent\tdelivered\tdup(same id)\tdup(new id)\tlost\tdropped"
      "\talerts expected\talerts raised\tat receiver\talert copies\tseconds\tresult\n"
      "[ fault    ] %s",
      line);
  std::fflush(stdout);
  if (const char* path = std::getenv("TRIPLINE_FAULT_RESULTS"); path != nullptr && *path) {
    // O_APPEND and one write(2): rows of tests running in parallel do not interleave.
    int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      (void)!::write(fd, line, std::strlen(line));
      ::close(fd);
    }
  }
}

}  // namespace tripline::fault
