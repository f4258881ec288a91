#include "agent/sources/host/network_source.h"

#include <spdlog/spdlog.h>

#include <unordered_set>

namespace tripline::agent {
namespace {

std::string Key(const TcpSocket& s, const char* direction) {
  return std::string(direction) + " " + s.local_ip + "/" + std::to_string(s.local_port) + " " +
         s.remote_ip + "/" + std::to_string(s.remote_port) + " " + std::to_string(s.inode);
}

}  // namespace

NetworkSource::NetworkSource(NetworkSourceConfig config, const AgentIdentity* identity)
    : config_(std::move(config)),
      reader_(config_.proc_root),
      owners_(config_.proc_root, config_.max_fd_links),
      emitter_(identity, v1::Source::KIND_NETWORK, "network", config_.name, reader_.BootId(),
               config_.max_queued) {
  if (config_.net_dir.empty()) config_.net_dir = config_.proc_root + "/net";
}

absl::Status NetworkSource::Start(std::string_view saved_state) {
  TRIPLINE_RETURN_IF_ERROR(emitter_.Restore(saved_state.substr(0, saved_state.find('\n'))));
  Scan(/*silent=*/!config_.report_existing);
  next_scan_ = std::chrono::steady_clock::now() + config_.scan_interval;
  spdlog::info("source {}: watching TCP connections in {} ({} known)", config_.name,
               config_.net_dir, seen_.size());
  return absl::OkStatus();
}

absl::StatusOr<size_t> NetworkSource::Poll(size_t budget, const EmitFn& emit) {
  size_t input = 0;
  if (std::chrono::steady_clock::now() >= next_scan_) {
    input = Scan(/*silent=*/false);
    next_scan_ = std::chrono::steady_clock::now() + config_.scan_interval;
  }
  network_counters_.dropped = emitter_.dropped();
  TRIPLINE_ASSIGN_OR_RETURN(size_t emitted, emitter_.Drain(budget, emit, counters_));
  counters_.bytes += input;
  return input + emitted;
}

size_t NetworkSource::ReadTable(const std::string& file, bool v6, std::vector<TcpSocket>& out) {
  auto text = ReadSmallFile(config_.net_dir + "/" + file, config_.max_table_bytes);
  if (!text) {
    if (ShouldLogHost(++counters_.read_errors)) {
      spdlog::warn("source {}: cannot read {}/{}", config_.name, config_.net_dir, file);
    }
    return 0;
  }
  if (text->size() >= config_.max_table_bytes) ++counters_.truncated;
  auto rows = ProcNetTable::Parse(*text, v6, &network_counters_.bad_rows);
  out.insert(out.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
  return text->size();
}

size_t NetworkSource::Scan(bool silent) {
  ++network_counters_.scans;
  std::vector<TcpSocket> sockets;
  size_t bytes = ReadTable("tcp", false, sockets);
  if (config_.ipv6) bytes += ReadTable("tcp6", true, sockets);
  std::unordered_set<uint16_t> listening;
  for (const TcpSocket& s : sockets) {
    if (s.state == TcpState::kListen) listening.insert(s.local_port);
  }
  std::set<std::string> now;
  std::vector<Candidate> fresh;
  for (const TcpSocket& s : sockets) {
    const char* direction = nullptr;
    if (s.state == TcpState::kListen) {
      direction = config_.report_listen ? "listen" : nullptr;
    } else if (s.state == TcpState::kEstablished || s.state == TcpState::kSynSent) {
      bool inbound = s.state == TcpState::kEstablished && listening.count(s.local_port) != 0;
      direction = !inbound ? "outbound" : config_.report_inbound ? "inbound" : nullptr;
    }
    if (direction == nullptr) continue;
    std::string key = Key(s, direction);
    if (!silent && seen_.count(key) == 0) fresh.push_back(Candidate{s, direction});
    now.insert(std::move(key));
  }
  seen_.swap(now);
  bool rebuilt = false;
  for (const Candidate& c : fresh) {
    if (!rebuilt && c.socket.inode != 0 && owners_.Find(c.socket.inode) == 0) {
      owners_.Rebuild();  // once per scan at most
      rebuilt = true;
      network_counters_.owner_rebuilds = owners_.rebuilds();
    }
    Report(c);
  }
  return bytes;
}

void NetworkSource::Report(const Candidate& c) {
  const TcpSocket& s = c.socket;
  v1::Event event = emitter_.NewEvent(config_.net_dir + (s.v6 ? "/tcp6" : "/tcp"), "proc_net");
  v1::NetworkConnection* n = event.mutable_network();
  n->set_transport("tcp");
  n->set_direction(c.direction);
  bool local_is_source = std::string_view(c.direction) == "outbound";
  if (std::string_view(c.direction) == "listen") {
    n->set_destination_ip(s.local_ip);
    n->set_destination_port(s.local_port);
  } else {
    n->set_source_ip(local_is_source ? s.local_ip : s.remote_ip);
    n->set_source_port(local_is_source ? s.local_port : s.remote_port);
    n->set_destination_ip(local_is_source ? s.remote_ip : s.local_ip);
    n->set_destination_port(local_is_source ? s.remote_port : s.local_port);
  }
  n->set_user_name(reader_.UserName(s.uid));
  int64_t pid = s.inode != 0 ? owners_.Find(s.inode) : 0;
  std::optional<ProcInfo> info;
  if (pid != 0) info = reader_.Read(pid);
  if (info) {
    v1::ProcessRef* p = n->mutable_process();
    p->set_pid(info->pid);
    p->set_executable(info->executable);
    p->set_name(info->name);
    p->set_command_line(info->command_line);
    p->set_entity_id(ProcReader::EntityId(emitter_.boot_id(), info->pid, info->start_ticks));
  } else {
    ++network_counters_.unknown_owner;
  }
  if (!emitter_.Push(std::move(event)) && ShouldLogHost(emitter_.dropped())) {
    spdlog::warn("source {}: outbox full ({} records), connection dropped", config_.name,
                 config_.max_queued);
  }
}

std::string NetworkSource::DurableState(uint64_t count) {
  return emitter_.StateLine(count) + "\n";
}

}  // namespace tripline::agent
