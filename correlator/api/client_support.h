#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/grpc/api_channel.h"
#include "tripline/v1/alert.pb.h"

namespace grpc {
class Channel;
class Status;
}  // namespace grpc

namespace tripline::correlator {

// What the `tripline` commands that talk to a correlator share. Caller's thread only.

// A connected channel to the correlator's API, or nullptr once the reason is written to `err` as
// "<command>: ..." and `*exit_code` set (2: bad TLS files, 1: unreachable).
std::shared_ptr<grpc::Channel> ConnectApi(const ApiClientConfig& api, const std::string& command,
                                          std::ostream& err, int* exit_code);
// A failed call for a human, with a hint for the usual causes (no or wrong token).
std::string DescribeRpcError(const grpc::Status& status);

// ANSI colour of a severity (critical magenta, high red, medium yellow, low cyan, else dim).
const char* SeverityColor(v1::Severity severity);
// HIGH, CRITICAL, ...
std::string SeverityUpper(v1::Severity severity);

}  // namespace tripline::correlator
