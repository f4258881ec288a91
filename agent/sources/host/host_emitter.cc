#include "agent/sources/host/host_emitter.h"

#include <algorithm>
#include <sstream>

#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::agent {

HostEmitter::HostEmitter(const AgentIdentity* identity, v1::Source::Kind kind,
                         std::string kind_name, std::string source_name, std::string boot_id,
                         size_t max_queued)
    : identity_(identity),
      kind_(kind),
      kind_name_(std::move(kind_name)),
      source_name_(std::move(source_name)),
      boot_id_(std::move(boot_id)),
      file_id_(kind_name_ + ":" + boot_id_),
      max_queued_(max_queued) {}

absl::Status HostEmitter::Restore(std::string_view first_line) {
  base_seq_ = 0;
  if (first_line.empty()) return absl::OkStatus();
  std::istringstream in{std::string(first_line)};
  std::string magic, version, boot;
  uint64_t next = 0;
  if (!(in >> magic >> version >> boot >> next) || magic != "tripline-" + kind_name_ + "-state" ||
      version != "v1") {
    return absl::DataLossError("source " + source_name_ + ": unreadable saved state");
  }
  // Numbers continue after a reboot too: the boot id in file_id already makes the ids distinct.
  base_seq_ = next;
  return absl::OkStatus();
}

std::string HostEmitter::StateLine(uint64_t durable_count) const {
  uint64_t count = std::min(durable_count, emitted_);
  return "tripline-" + kind_name_ + "-state v1 " + boot_id_ + " " +
         std::to_string(base_seq_ + count);
}

v1::Event HostEmitter::NewEvent(std::string_view path, std::string_view format) const {
  v1::Event e;
  e.set_agent_id(identity_->agent_id);
  *e.mutable_host() = identity_->host;
  *e.mutable_observed_time() = NowTimestamp();
  v1::Source* src = e.mutable_source();
  src->set_kind(kind_);
  src->set_name(source_name_);
  src->set_path(std::string(path));
  src->set_file_id(file_id_);
  src->set_format(std::string(format));
  return e;
}

bool HostEmitter::Push(v1::Event event) {
  if (max_queued_ != 0 && queue_.size() >= max_queued_) {
    ++dropped_;
    return false;
  }
  queue_.push_back(std::move(event));
  return true;
}

absl::StatusOr<size_t> HostEmitter::Drain(size_t budget, const EmitFn& emit,
                                          SourceCounters& counters) {
  size_t bytes = 0;
  while (!queue_.empty() && bytes < budget) {
    v1::Event& e = queue_.front();
    uint64_t seq = base_seq_ + emitted_;
    e.set_event_id(EventId(identity_->agent_id, file_id_, seq));
    e.mutable_source()->set_position(seq);
    if (!e.has_event_time()) *e.mutable_event_time() = e.observed_time();
    TRIPLINE_RETURN_IF_ERROR(emit(e));
    bytes += e.ByteSizeLong();
    ++emitted_;
    ++counters.records;
    queue_.pop_front();
  }
  return bytes;
}

}  // namespace tripline::agent
