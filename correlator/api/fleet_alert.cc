#include "correlator/api/fleet_alert.h"

#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::correlator {

v1::Alert AgentSilentAlert(const v1::AgentStatus& agent, int64_t last_seen_us, int64_t now_us,
                           int64_t silent_after_us) {
  v1::Alert a;
  a.set_alert_id(StableId({kAgentSilentRuleId, agent.agent_id(), std::to_string(last_seen_us)}));
  v1::RuleRef* rule = a.mutable_rule();
  rule->set_id(kAgentSilentRuleId);
  rule->set_title("Tripline agent silent");
  rule->set_kind("fleet");
  rule->set_ruleset("tripline-fleet");
  rule->set_description(
      "A Tripline agent stopped sending heartbeats: the host is down, the agent was stopped or "
      "killed, or its collection was disabled to hide what follows.");
  rule->add_tags("attack.defense-evasion");
  rule->add_tags("attack.t1562.001");
  a.set_severity(v1::SEVERITY_HIGH);
  a.add_attack_technique_ids("T1562.001");
  a.add_attack_tactic_ids("defense-evasion");
  a.mutable_host()->set_id(agent.agent_id());
  a.mutable_host()->set_name(agent.host_name());
  a.mutable_host()->set_exchange_build(agent.exchange_build());
  a.set_group_key(agent.agent_id());
  *a.mutable_window_start() = TimestampFromMicros(last_seen_us);
  *a.mutable_window_end() = TimestampFromMicros(last_seen_us);
  *a.mutable_created_time() = TimestampFromMicros(now_us);
  const int64_t quiet_s = (now_us - last_seen_us) / 1'000'000;
  a.set_message("Tripline agent silent: agent " + agent.agent_id() + " on host " +
                (agent.host_name().empty() ? std::string("?") : agent.host_name()) +
                " last seen " + Rfc3339(TimestampFromMicros(last_seen_us)) + " (" +
                std::to_string(quiet_s) + " s ago, silent after " +
                std::to_string(silent_after_us / 1'000'000) + " s)");
  return a;
}

}  // namespace tripline::correlator
