#include "correlator/api/client_support.h"

#include <grpcpp/grpcpp.h>

#include <cctype>

#include "correlator/sinks/ecs/alert_ecs.h"

namespace tripline::correlator {

std::shared_ptr<grpc::Channel> ConnectApi(const ApiClientConfig& api, const std::string& command,
                                          std::ostream& err, int* exit_code) {
  auto channel = MakeApiChannel(api);
  if (!channel.ok()) {
    err << command << ": " << channel.status().message() << "\n";
    *exit_code = 2;
    return nullptr;
  }
  if (!(*channel)->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    err << command << ": cannot reach the correlator at " << api.server
        << " (is api.listen set in its config? with api.tls, pass --ca and, for mTLS, --cert "
           "and --key)\n";
    *exit_code = 1;
    return nullptr;
  }
  return *channel;
}

std::string DescribeRpcError(const grpc::Status& status) {
  std::string text = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    text += " (the correlator requires a token: --token-file or TRIPLINE_API_TOKEN)";
  }
  return text;
}

const char* SeverityColor(v1::Severity s) {
  switch (s) {
    case v1::SEVERITY_CRITICAL: return "\033[1;35m";
    case v1::SEVERITY_HIGH: return "\033[1;31m";
    case v1::SEVERITY_MEDIUM: return "\033[33m";
    case v1::SEVERITY_LOW: return "\033[36m";
    default: return "\033[2m";
  }
}

std::string SeverityUpper(v1::Severity severity) {
  std::string sev = SeverityName(severity);
  for (char& c : sev) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return sev;
}

}  // namespace tripline::correlator
