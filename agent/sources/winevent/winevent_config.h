#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tripline::agent {

// One event log channel a winevent source subscribes to.
struct WineventChannel {
  std::string name;   // e.g. Security, Microsoft-Windows-Sysmon/Operational
  std::string query;  // XPath filter on that channel (EvtSubscribe's Query); empty: every event
};

// Where a channel without a saved bookmark starts (first start, or a channel added later).
enum class WineventStart {
  kOldest,  // the oldest record still in the log (EvtSubscribeStartAtOldestRecord)
  kFuture,  // only records written from now on (EvtSubscribeToFutureEvents)
};

// The channels an Exchange server's agent reads when agent.yaml lists none: process starts and
// services (Security 4688/4697, System 7045), Sysmon, and the Exchange cmdlet log (the ProxyLogon
// Set-OabVirtualDirectory trail). Sysmon is often not installed: a missing channel is waited for,
// never an error (winevent_source.h).
std::vector<WineventChannel> DefaultWineventChannels();

// `type: winevent` in agent.yaml (config/agent.yaml documents the keys). Plain data, checked by
// LoadAgentConfig.
struct WineventSourceConfig {
  std::string name;
  std::vector<WineventChannel> channels = DefaultWineventChannels();
  WineventStart start_at = WineventStart::kOldest;
  uint32_t batch_size = 64;  // records asked for per EvtNext call
  // How often a channel that does not exist (or whose subscription failed) is tried again.
  std::chrono::milliseconds retry_interval{60000};
};

// What a winevent source counts besides SourceCounters (records, bytes, read_errors, truncated),
// for the agent's metrics. Plain data, owned by the source, read on the agent's main loop.
struct WineventCounters {
  uint64_t resubscribes = 0;  // subscriptions reopened after a stale or invalid handle
  // Times a channel's position was lost: the saved bookmark's record was gone at subscribe time
  // (log cleared or wrapped while the agent was down), or the record numbers restarted while
  // subscribed (cleared). Records written in between may never have been read.
  uint64_t gaps = 0;
  uint64_t channels_missing = 0;  // channels that do not exist right now (a gauge)
};

}  // namespace tripline::agent
