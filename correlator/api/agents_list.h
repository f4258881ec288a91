#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "common/grpc/api_channel.h"
#include "tripline/v1/services.pb.h"

namespace tripline::correlator {

struct AgentsListOptions {
  ApiClientConfig api;
  bool json = false;   // one JSON document {"agents": [...]} for machines
  bool color = false;  // health colours (a terminal): silent red, degraded yellow
};

// `tripline agents list`: the agents registered with a correlator (FleetService.ListAgents) as a
// table: agent, host, version, Exchange build, last seen (relative), lag, spool, health. Returns
// 0, 1 when the correlator cannot be reached or refuses the call, 2 for bad options.
int RunAgentsList(const AgentsListOptions& options, std::ostream& out, std::ostream& err);

// The table itself (tests): `now_us` is the wall clock that "last seen" is relative to.
void PrintAgentsTable(const std::vector<v1::AgentStatus>& agents, int64_t now_us, bool color,
                      std::ostream& out);

}  // namespace tripline::correlator
