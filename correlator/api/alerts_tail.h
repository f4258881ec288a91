#pragma once

#include <atomic>
#include <ostream>
#include <string>

#include "common/grpc/api_channel.h"

namespace tripline::correlator {

struct AlertsTailOptions {
  ApiClientConfig api;                    // the correlator's api.listen, TLS files, token
  std::string min_severity;               // informational|low|medium|high|critical; "" = all
  bool recent = false;                    // first the recent alerts the correlator kept
  bool json = false;                      // one ECS JSON document per line
  bool color = false;                     // severity colours (a terminal)
  int limit = 0;                          // stop after this many alerts (0: run until stopped)
};

// `tripline alerts tail`: follows the correlator's live alert feed (gRPC AlertService.
// StreamAlerts) and prints each alert as it is raised: one readable line (coloured by severity on
// a terminal) or, with --json, one ECS document per line for machines. Returns the exit code:
// 0 when stopped (`stop` set, the limit reached or the server ended the stream), 1 when the
// server cannot be reached, 2 for bad options. Thread: the caller's; `stop` may be set from a
// signal handler's thread.
int RunAlertsTail(const AlertsTailOptions& options, std::ostream& out, std::ostream& err,
                  const std::atomic<bool>& stop);

}  // namespace tripline::correlator
