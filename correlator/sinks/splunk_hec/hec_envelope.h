#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// Envelope metadata that is the same for every alert of one sink (from SplunkHecConfig).
struct HecMetadata {
  std::string index;       // omitted when empty (the token's default index)
  std::string sourcetype;
  std::string source;      // omitted when empty
  std::string host;        // empty: the alert's host name (or id)
};

// One alert as a HEC event-endpoint envelope, on one line:
//   {"time":<window end, epoch s.mmm>,"host":..,"source":..,"sourcetype":..,"index":..,
//    "event":{<CIM Alerts fields>,"ecs":<the ECS document>}}
// The event's top level is CIM-friendly for the Alerts data model (app, id, signature,
// signature_id, severity, severity_id, type, description, dest, src, user, mitre_technique_id,
// vendor_product); the full ECS document is nested whole under "ecs" (not merged: ECS objects such
// as `host` and `event` would collide with CIM's flat names and with Splunk's own `host`).
std::string RenderHecEnvelope(const v1::Alert& alert, const std::string& ecs_json,
                              const HecMetadata& meta);

// Splits envelopes into request bodies: consecutive runs, in order, each body the envelopes of its
// run joined by '\n' and at most `max_bytes` long, except that an envelope longer than that alone
// makes a body of its own. Returns the run lengths (number of envelopes per body).
std::vector<size_t> SplitIntoBatches(const std::vector<size_t>& envelope_sizes, size_t max_bytes);

}  // namespace tripline::correlator
