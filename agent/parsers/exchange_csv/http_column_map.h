#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// Binds CSV header names to HttpRequest fields, once per header, so that a record is assigned
// column by column without comparing names. Knows the Exchange HttpProxy names (DateTime, UrlStem,
// ClientIpAddress, AnchorMailbox, ...) and the common hand-made names of exported CSV (timestamp,
// hostname, urlpath, useragent, httpstatus*, http-metode/method, clientip); names compare without
// case, '-' or '_'. Every other non-empty column goes to HttpRequest.extra under its header name.
//
// Lifecycle: a member of one parser. Thread: the owning parser's thread. Stateless between
// records apart from the layout.
class HttpColumnMap {
 public:
  enum class Column : uint8_t;

  void SetLayout(std::span<const std::string> names);

  // Fills event.http() and event_time from one record whose size matches the layout.
  [[nodiscard]] absl::Status Apply(std::span<const std::string> values, v1::Event& event) const;

  // Whether `name` is a column of the Exchange HttpProxy log (any build of 2013..2019).
  static bool IsHttpProxyName(std::string_view name);
  // Whether `name` maps to a typed field (not to extra).
  static bool IsKnownName(std::string_view name);

 private:
  absl::Status Assign(Column column, const std::string& name, std::string_view value,
                      v1::Event& event) const;

  std::vector<std::string> names_;
  std::vector<Column> columns_;
};

}  // namespace tripline::agent
