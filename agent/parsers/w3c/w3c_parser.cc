#include "agent/parsers/w3c/w3c_parser.h"

#include <charconv>
#include <cstring>

#include "common/strings.h"
#include "common/time_util.h"

namespace tripline::agent {

enum class W3cParser::Column : uint8_t {
  kDate,
  kTime,
  kSiteName,
  kComputerName,
  kServerIp,
  kMethod,
  kUriStem,
  kUriQuery,
  kServerPort,
  kUserName,
  kClientIp,
  kUserAgent,
  kReferer,
  kHost,
  kStatus,
  kSubstatus,
  kWin32Status,
  kBytesSent,
  kBytesReceived,
  kTimeTaken,
  kPlusEncodedExtra,  // cs(Cookie): '+' for spaces
  kExtra,
};

namespace {

using Column = W3cParser::Column;

Column ColumnFor(std::string_view name) {
  static constexpr std::pair<std::string_view, int> kNames[] = {
      {"date", 0},           {"time", 1},           {"s-sitename", 2},     {"s-computername", 3},
      {"s-ip", 4},           {"cs-method", 5},      {"cs-uri-stem", 6},    {"cs-uri-query", 7},
      {"s-port", 8},         {"cs-username", 9},    {"c-ip", 10},          {"cs(user-agent)", 11},
      {"cs(referer)", 12},   {"cs-host", 13},       {"sc-status", 14},     {"sc-substatus", 15},
      {"sc-win32-status", 16}, {"sc-bytes", 17},    {"cs-bytes", 18},      {"time-taken", 19},
      {"cs(cookie)", 20},
  };
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [n, c] : kNames) {
    if (n == lower) return static_cast<Column>(c);
  }
  return Column::kExtra;
}

std::string_view Value(std::string_view v) { return v == "-" ? std::string_view() : v; }

// IIS writes spaces in cs(User-Agent) and cs(Referer) as '+'. Assigns into the field's existing
// buffer: no allocation per line once the event is reused.
void PlusDecode(std::string_view v, std::string* out) {
  out->assign(v);
  char* p = out->data();
  char* end = p + out->size();
  while ((p = static_cast<char*>(std::memchr(p, '+', static_cast<size_t>(end - p)))) != nullptr) {
    *p++ = ' ';
  }
}

template <typename T>
absl::Status ParseNumber(std::string_view name, std::string_view v, T& out) {
  if (v.empty()) {
    out = 0;
    return absl::OkStatus();
  }
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    return absl::InvalidArgumentError("field " + std::string(name) + ": expected a number, got '" +
                                      std::string(v.substr(0, 64)) + "'");
  }
  return absl::OkStatus();
}

template <typename T, typename Setter>
absl::Status SetNumber(std::string_view name, std::string_view v, Setter set) {
  T n{};
  TRIPLINE_RETURN_IF_ERROR(ParseNumber(name, v, n));
  set(n);
  return absl::OkStatus();
}

// "2021-03-05" + "03:06:27" (UTC, as IIS writes it) -> event time.
absl::Status ParseDateTime(std::string_view date, std::string_view time, v1::Event& event) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  auto num = [](std::string_view v, size_t pos, size_t len, int& out) {
    if (v.size() < pos + len) return false;
    auto [p, ec] = std::from_chars(v.data() + pos, v.data() + pos + len, out);
    return ec == std::errc() && p == v.data() + pos + len;
  };
  if (date.size() != 10 || !num(date, 0, 4, y) || !num(date, 5, 2, mo) || !num(date, 8, 2, d) ||
      mo < 1 || mo > 12 || d < 1 || d > 31) {
    return absl::InvalidArgumentError("field date: expected YYYY-MM-DD, got '" +
                                      std::string(date.substr(0, 32)) + "'");
  }
  if (time.size() < 8 || !num(time, 0, 2, h) || !num(time, 3, 2, mi) || !num(time, 6, 2, s) ||
      h > 23 || mi > 59 || s > 60) {
    return absl::InvalidArgumentError("field time: expected hh:mm:ss, got '" +
                                      std::string(time.substr(0, 32)) + "'");
  }
  int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  event.mutable_event_time()->set_seconds(secs);
  event.mutable_event_time()->set_nanos(0);
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& W3cParser::DefaultFields() {
  static const std::vector<std::string> kDefault = {
      "date",      "time",         "s-ip",           "cs-method",      "cs-uri-stem",
      "cs-uri-query", "s-port",    "cs-username",    "c-ip",           "cs(User-Agent)",
      "cs(Referer)", "sc-status",  "sc-substatus",   "sc-win32-status", "time-taken"};
  return kDefault;
}

W3cParser::W3cParser() { Reset(); }

void W3cParser::Reset() {
  names_ = DefaultFields();
  columns_.clear();
  for (const auto& n : names_) columns_.push_back(ColumnFor(n));
}

absl::Status W3cParser::SetLayout(std::string_view value) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && value[pos] == ' ') ++pos;
    size_t end = value.find(' ', pos);
    if (end == std::string_view::npos) end = value.size();
    if (end > pos) names.emplace_back(value.substr(pos, end - pos));
    pos = end;
  }
  if (names.empty()) return absl::InvalidArgumentError("#Fields: directive lists no fields");
  names_ = std::move(names);
  columns_.clear();
  for (const auto& n : names_) columns_.push_back(ColumnFor(n));
  return absl::OkStatus();
}

absl::StatusOr<LineKind> W3cParser::Parse(std::string_view line, v1::Event& event) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return LineKind::kSkipped;
  if (line.front() == '#') {
    constexpr std::string_view kFields = "#Fields:";
    if (line.substr(0, kFields.size()) == kFields) {
      TRIPLINE_RETURN_IF_ERROR(SetLayout(line.substr(kFields.size())));
    }
    return LineKind::kSkipped;  // #Software, #Version, #Date and other directives
  }
  values_.clear();
  SplitInto(line, ' ', values_);
  if (values_.size() != columns_.size()) {
    return absl::InvalidArgumentError(
        "expected " + std::to_string(columns_.size()) + " fields as the #Fields: layout says, got " +
        std::to_string(values_.size()));
  }
  std::string_view date, time;
  for (size_t i = 0; i < columns_.size(); ++i) {
    TRIPLINE_RETURN_IF_ERROR(Assign(columns_[i], i, Value(values_[i]), event, date, time));
  }
  if (!date.empty() || !time.empty()) TRIPLINE_RETURN_IF_ERROR(ParseDateTime(date, time, event));
  return LineKind::kRecord;
}

absl::Status W3cParser::Assign(Column column, size_t index, std::string_view v, v1::Event& event,
                               std::string_view& date, std::string_view& time) {
  v1::HttpRequest* http = event.mutable_http();
  const std::string& name = names_[index];
  switch (column) {
    case Column::kDate: date = v; break;
    case Column::kTime: time = v; break;
    case Column::kSiteName: http->mutable_site()->assign(v); break;
    case Column::kComputerName: http->mutable_server_name()->assign(v); break;
    case Column::kServerIp: http->mutable_destination_ip()->assign(v); break;
    case Column::kMethod: http->mutable_method()->assign(v); break;
    case Column::kUriStem: http->mutable_url_path()->assign(v); break;
    case Column::kUriQuery: http->mutable_url_query()->assign(v); break;
    case Column::kUserName: http->mutable_user_name()->assign(v); break;
    case Column::kClientIp: http->mutable_source_ip()->assign(v); break;
    case Column::kUserAgent: PlusDecode(v, http->mutable_user_agent()); break;
    case Column::kReferer: PlusDecode(v, http->mutable_referrer()); break;
    case Column::kHost: http->mutable_url_domain()->assign(v); break;
    case Column::kServerPort:
      return SetNumber<uint32_t>(name, v, [http](uint32_t n) { http->set_destination_port(n); });
    case Column::kStatus:
      return SetNumber<int32_t>(name, v, [http](int32_t n) { http->set_status_code(n); });
    case Column::kSubstatus:
      return SetNumber<int32_t>(name, v, [http](int32_t n) { http->set_substatus(n); });
    case Column::kWin32Status:
      // Written unsigned by IIS (e.g. 2148074254), stored as its 32-bit pattern.
      return SetNumber<uint32_t>(
          name, v, [http](uint32_t n) { http->set_win32_status(static_cast<int32_t>(n)); });
    case Column::kBytesSent:
      return SetNumber<uint64_t>(name, v, [http](uint64_t n) { http->set_response_bytes(n); });
    case Column::kBytesReceived:
      return SetNumber<uint64_t>(name, v, [http](uint64_t n) { http->set_request_bytes(n); });
    case Column::kTimeTaken:
      return SetNumber<uint32_t>(name, v, [http](uint32_t n) { http->set_duration_ms(n); });
    case Column::kPlusEncodedExtra:
      if (!v.empty()) PlusDecode(v, &(*http->mutable_extra())[name]);
      break;
    case Column::kExtra:
      if (!v.empty()) (*http->mutable_extra())[name] = std::string(v);
      break;
  }
  return absl::OkStatus();
}

}  // namespace tripline::agent
