#pragma once

#include <ostream>
#include <string>

#include "common/grpc/api_channel.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator {

struct AlertsShowOptions {
  ApiClientConfig api;
  std::string alert_id;
  bool json = false;   // the alert's ECS document
  bool color = false;  // a terminal
};

// `tripline alerts show <alert-id>`: one alert from the correlator's recent alerts
// (AlertService.GetAlert): its header (rule, severity, ATT&CK, host, window) and its whole
// evidence chain, each contributing event in time order with the fields an analyst reads first.
// Returns 0, 1 when the correlator cannot be reached or has no such alert, 2 for bad options.
int RunAlertsShow(const AlertsShowOptions& options, std::ostream& out, std::ostream& err);

// The text rendering (tests).
void PrintAlertDetail(const v1::Alert& alert, bool color, std::ostream& out);

}  // namespace tripline::correlator
