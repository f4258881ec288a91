#pragma once

#include <cstdint>

#include "tripline/v1/alert.pb.h"
#include "tripline/v1/services.pb.h"

namespace tripline::correlator {

inline constexpr char kAgentSilentRuleId[] = "tripline-fleet-agent-silent";

// The "Tripline agent silent" alert: an agent's heartbeats stopped (killed, host down, or its
// collection disabled on purpose: ATT&CK T1562.001 Impair Defenses: Disable or Modify Tools).
// Severity high, host = the agent's host, no contributing events. The alert id is deterministic
// (rule id, agent id, last heartbeat), so the same silence raised again after a crash keeps its id.
v1::Alert AgentSilentAlert(const v1::AgentStatus& agent, int64_t last_seen_us, int64_t now_us,
                           int64_t silent_after_us);

}  // namespace tripline::correlator
