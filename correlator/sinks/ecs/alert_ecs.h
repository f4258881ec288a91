#pragma once

#include <string>

#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

// The alert as an ECS 9.4 document (event.kind=alert, rule.*, threat.*, host.*, related.*), on
// one line. The contributing events ride under `tripline.events` with their ECS-named fields.
// The same bytes go to every sink that takes JSON (file, Kafka, later _bulk and HEC).
std::string AlertToEcsJson(const v1::Alert& alert);

// Severity names as Sigma writes them (informational, low, medium, high, critical).
const char* SeverityName(v1::Severity severity);

}  // namespace tripline::correlator
