#include "agent/parsers/exchange_csv/http_column_map.h"

#include <array>

#include "agent/parsers/csv/value_parsing.h"

namespace tripline::agent {

enum class HttpColumnMap::Column : uint8_t {
  kTime,
  kMethod,
  kUrlPath,
  kUrlQuery,
  kUrlDomain,
  kStatus,
  kSourceIp,
  kUserName,
  kUserAgent,
  kServerName,
  kProtocol,
  kAnchorMailbox,
  kRoutingHint,
  kBackendServer,
  kCorrelationId,
  kRequestBytes,
  kResponseBytes,
  kExtra,
};

namespace {

using Column = HttpColumnMap::Column;

// The 74 columns of Exchange 2016 CU19+ HttpProxy logs (hafnium-detection.md §3.2); older builds
// write a subset.
constexpr std::array<std::string_view, 74> kHttpProxyNames = {
    "DateTime", "RequestId", "MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion",
    "ClientRequestId", "Protocol", "UrlHost", "UrlStem", "ProtocolAction", "AuthenticationType",
    "IsAuthenticated", "AuthenticatedUser", "Organization", "AnchorMailbox", "UserAgent",
    "ClientIpAddress", "ServerHostName", "HttpStatus", "BackEndStatus", "ErrorCode", "Method",
    "ProxyAction", "TargetServer", "TargetServerVersion", "RoutingType", "RoutingHint",
    "BackEndCookie", "ServerLocatorHost", "ServerLocatorLatency", "RequestBytes", "ResponseBytes",
    "TargetOutstandingRequests", "AuthModulePerfContext", "HttpPipelineLatency",
    "CalculateTargetBackEndLatency", "GlsLatencyBreakup", "TotalGlsLatency",
    "AccountForestLatencyBreakup", "TotalAccountForestLatency", "ResourceForestLatencyBreakup",
    "TotalResourceForestLatency", "ADLatency", "SharedCacheLatencyBreakup",
    "TotalSharedCacheLatency", "ActivityContextLifeTime", "ModuleToHandlerSwitchingLatency",
    "ClientReqStreamLatency", "BackendReqInitLatency", "BackendReqStreamLatency",
    "BackendProcessingLatency", "BackendRespInitLatency", "BackendRespStreamLatency",
    "ClientRespStreamLatency", "KerberosAuthHeaderLatency", "HandlerCompletionLatency",
    "RequestHandlerLatency", "HandlerToModuleSwitchingLatency", "ProxyTime", "CoreLatency",
    "RoutingLatency", "HttpProxyOverhead", "TotalRequestTime", "RouteRefresherLatency", "UrlQuery",
    "BackEndGenericInfo", "GenericInfo", "GenericErrors", "EdgeTraceId", "DatabaseGuid",
    "UserADObjectGuid", "PartitionEndpointLookupLatency", "RoutingStatus"};

// Normalised name (lower case, no '-' or '_') -> typed field.
constexpr std::pair<std::string_view, Column> kTyped[] = {
    {"datetime", Column::kTime},           {"timestamp", Column::kTime},
    {"time", Column::kTime},               {"method", Column::kMethod},
    {"httpmethod", Column::kMethod},       {"httpmetode", Column::kMethod},
    {"urlstem", Column::kUrlPath},         {"urlpath", Column::kUrlPath},
    {"urlquery", Column::kUrlQuery},       {"urlhost", Column::kUrlDomain},
    {"hostname", Column::kUrlDomain},      {"httpstatus", Column::kStatus},
    {"clientipaddress", Column::kSourceIp}, {"clientip", Column::kSourceIp},
    {"authenticateduser", Column::kUserName}, {"useragent", Column::kUserAgent},
    {"serverhostname", Column::kServerName}, {"protocol", Column::kProtocol},
    {"anchormailbox", Column::kAnchorMailbox}, {"routinghint", Column::kRoutingHint},
    {"targetserver", Column::kBackendServer}, {"requestid", Column::kCorrelationId},
    {"requestbytes", Column::kRequestBytes}, {"responsebytes", Column::kResponseBytes},
};

std::string Normalised(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '-' || c == '_') continue;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return out;
}

Column ColumnFor(std::string_view name) {
  const std::string n = Normalised(name);
  for (const auto& [key, column] : kTyped) {
    if (n == key) return column;
  }
  // Hand-made exports localise the suffix: httpstatuskode, httpstatuscode.
  if (n.starts_with("httpstatus")) return Column::kStatus;
  return Column::kExtra;
}

}  // namespace

bool HttpColumnMap::IsHttpProxyName(std::string_view name) {
  for (std::string_view known : kHttpProxyNames) {
    if (EqualsIgnoreCase(known, name)) return true;
  }
  return false;
}

bool HttpColumnMap::IsKnownName(std::string_view name) { return ColumnFor(name) != Column::kExtra; }

void HttpColumnMap::SetLayout(std::span<const std::string> names) {
  names_.assign(names.begin(), names.end());
  columns_.clear();
  for (const std::string& n : names_) columns_.push_back(ColumnFor(n));
}

absl::Status HttpColumnMap::Apply(std::span<const std::string> values, v1::Event& event) const {
  event.mutable_http();  // a record with only empty values is still an HttpRequest
  for (size_t i = 0; i < columns_.size() && i < values.size(); ++i) {
    TRIPLINE_RETURN_IF_ERROR(Assign(columns_[i], names_[i], values[i], event));
  }
  return absl::OkStatus();
}

absl::Status HttpColumnMap::Assign(Column column, const std::string& name, std::string_view v,
                                   v1::Event& event) const {
  v1::HttpRequest* http = event.mutable_http();
  if (v.empty()) return absl::OkStatus();
  switch (column) {
    case Column::kTime: return ParseRfc3339(name, v, *event.mutable_event_time());
    case Column::kMethod: http->mutable_method()->assign(v); break;
    case Column::kUrlPath: http->mutable_url_path()->assign(v); break;
    case Column::kUrlQuery:
      http->mutable_url_query()->assign(v.substr(v.starts_with('?') ? 1 : 0));
      break;
    case Column::kUrlDomain: http->mutable_url_domain()->assign(v); break;
    case Column::kSourceIp: http->mutable_source_ip()->assign(v); break;
    case Column::kUserName: http->mutable_user_name()->assign(v); break;
    case Column::kUserAgent: http->mutable_user_agent()->assign(v); break;
    case Column::kServerName: http->mutable_server_name()->assign(v); break;
    case Column::kProtocol: http->mutable_protocol()->assign(v); break;
    case Column::kAnchorMailbox: http->mutable_anchor_mailbox()->assign(v); break;
    case Column::kRoutingHint: http->mutable_routing_hint()->assign(v); break;
    case Column::kBackendServer: http->mutable_backend_server()->assign(v); break;
    case Column::kCorrelationId: http->mutable_correlation_id()->assign(v); break;
    case Column::kStatus:
      return SetNumber<int32_t>(name, v, [http](int32_t n) { http->set_status_code(n); });
    case Column::kRequestBytes:
      return SetNumber<uint64_t>(name, v, [http](uint64_t n) { http->set_request_bytes(n); });
    case Column::kResponseBytes:
      return SetNumber<uint64_t>(name, v, [http](uint64_t n) { http->set_response_bytes(n); });
    case Column::kExtra: (*http->mutable_extra())[name] = std::string(v); break;
  }
  return absl::OkStatus();
}

}  // namespace tripline::agent
