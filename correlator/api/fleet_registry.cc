#include "correlator/api/fleet_registry.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>

#include "common/crc32c.h"
#include "common/file_util.h"
#include "common/time_util.h"

namespace tripline::correlator {
namespace {

constexpr char kMagic[] = "TLFLEET1";
constexpr size_t kMagicSize = 8;
constexpr int64_t kLastSeenSaveIntervalUs = 10'000'000;
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxTextBytes = 256;

std::string Crc32Le(uint32_t crc) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return out;
}

}  // namespace

FleetRegistry::FleetRegistry(FleetConfig config, Clock clock)
    : config_(std::move(config)), clock_(std::move(clock)), loaded_at_us_(clock_()) {}

int64_t FleetRegistry::silent_after_us() const {
  return int64_t{config_.silent_after_intervals} * config_.heartbeat_interval_s * 1'000'000;
}

bool FleetRegistry::Stale(const Entry& e, int64_t now_us) const {
  return now_us - std::max(e.last_seen_us, loaded_at_us_) > silent_after_us();
}

absl::Status FleetRegistry::Upsert(const v1::AgentStatus& agent) {
  if (agent.agent_id().empty()) return absl::InvalidArgumentError("agent_id is required");
  if (agent.agent_id().size() > kMaxIdBytes || agent.host_name().size() > kMaxTextBytes ||
      agent.version().size() > kMaxTextBytes || agent.exchange_build().size() > kMaxTextBytes) {
    return absl::InvalidArgumentError("agent id, host name, version or build too long");
  }
  const std::string& health = agent.health();
  if (!health.empty() && health != "ok" && health != "degraded") {
    return absl::InvalidArgumentError("health must be ok or degraded");
  }
  const int64_t now = clock_();
  std::lock_guard lock(mu_);
  auto it = agents_.find(agent.agent_id());
  if (it == agents_.end()) {
    if (agents_.size() >= config_.max_agents) {
      return absl::ResourceExhaustedError("fleet.max_agents (" +
                                          std::to_string(config_.max_agents) + ") reached");
    }
    it = agents_.emplace(agent.agent_id(), Entry{}).first;
    it->second.logged_health = "ok";
    changed_ = true;
  }
  Entry& e = it->second;
  if (e.status.host_name() != agent.host_name() || e.status.version() != agent.version() ||
      e.status.exchange_build() != agent.exchange_build()) {
    changed_ = true;
  }
  if (e.silent) {  // heartbeats resumed
    e.silent = false;
    e.back = true;
    e.silent_last_seen_us = e.last_seen_us;
    changed_ = true;
  }
  e.status = agent;
  if (health.empty()) e.status.set_health("ok");
  e.last_seen_us = now;
  *e.status.mutable_last_seen() = TimestampFromMicros(now);
  seen_moved_ = true;
  return absl::OkStatus();
}

absl::Status FleetRegistry::Register(const v1::AgentStatus& agent) { return Upsert(agent); }

absl::Status FleetRegistry::Heartbeat(const v1::AgentStatus& agent) { return Upsert(agent); }

std::vector<v1::AgentStatus> FleetRegistry::List() const {
  const int64_t now = clock_();
  std::lock_guard lock(mu_);
  std::vector<v1::AgentStatus> out;
  out.reserve(agents_.size());
  for (const auto& [id, e] : agents_) {
    out.push_back(e.status);
    if (e.silent || Stale(e, now)) out.back().set_health("silent");
  }
  return out;
}

std::vector<FleetTransition> FleetRegistry::Check() {
  using Kind = FleetTransition::Kind;
  const int64_t now = clock_();
  std::vector<FleetTransition> out;
  std::lock_guard lock(mu_);
  for (auto& [id, e] : agents_) {
    if (e.back) {
      e.back = false;
      out.push_back({Kind::kBack, e.status, e.silent_last_seen_us});
    }
    if (!e.silent && Stale(e, now)) {
      e.silent = true;
      changed_ = true;
      out.push_back({Kind::kSilent, e.status, e.last_seen_us});
      out.back().agent.set_health("silent");
      continue;
    }
    if (!e.silent && e.status.health() != e.logged_health) {
      e.logged_health = e.status.health();
      out.push_back({e.logged_health == "degraded" ? Kind::kDegraded : Kind::kRecovered, e.status,
                     e.last_seen_us});
    }
  }
  return out;
}

absl::Status FleetRegistry::SaveIfChanged() {
  if (config_.state_file.empty()) return absl::OkStatus();
  const int64_t now = clock_();
  v1::ListAgentsResponse body;
  {
    std::lock_guard lock(mu_);
    bool due = changed_ || (seen_moved_ && now - saved_at_us_ >= kLastSeenSaveIntervalUs);
    if (!due) return absl::OkStatus();
    for (const auto& [id, e] : agents_) {
      v1::AgentStatus* s = body.add_agents();
      *s = e.status;
      if (e.silent) s->set_health("silent");
    }
    changed_ = seen_moved_ = false;
    saved_at_us_ = now;
  }
  std::string bytes = body.SerializeAsString();
  std::string file = std::string(kMagic, kMagicSize) + Crc32Le(Crc32c(bytes)) + bytes;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(config_.state_file).parent_path(), ec);
  absl::Status st = WriteFileAtomically(config_.state_file, file);
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    changed_ = true;  // try again at the next check
  }
  return st;
}

absl::Status FleetRegistry::Load() {
  if (config_.state_file.empty()) return absl::OkStatus();
  auto file = ReadWholeFile(config_.state_file);
  if (absl::IsNotFound(file.status())) return absl::OkStatus();
  if (!file.ok()) return file.status();
  const std::string& f = *file;
  v1::ListAgentsResponse body;
  if (f.size() < kMagicSize + 4 || f.compare(0, kMagicSize, kMagic) != 0 ||
      f.compare(kMagicSize, 4, Crc32Le(Crc32c(std::string_view(f).substr(kMagicSize + 4)))) != 0 ||
      !body.ParseFromArray(f.data() + kMagicSize + 4, static_cast<int>(f.size() - kMagicSize - 4))) {
    return absl::DataLossError(config_.state_file + ": not a fleet state file or corrupt");
  }
  const int64_t now = clock_();
  std::lock_guard lock(mu_);
  agents_.clear();
  for (const v1::AgentStatus& s : body.agents()) {
    Entry& e = agents_[s.agent_id()];
    e.status = s;
    e.last_seen_us = MicrosFromTimestamp(s.last_seen());
    e.silent = s.health() == "silent";
    if (e.silent) e.status.set_health("ok");  // the agent's own report is unknown until it is back
    e.logged_health = e.status.health();
  }
  loaded_at_us_ = now;
  saved_at_us_ = now;
  return absl::OkStatus();
}

}  // namespace tripline::correlator
