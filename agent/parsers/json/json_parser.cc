#include "agent/parsers/json/json_parser.h"

#include "agent/parsers/csv/value_parsing.h"
#include "agent/parsers/json/json_flattener.h"

namespace tripline::agent {
namespace {

// Moves a top-level message/msg field into AppLog.message.
void TakeMessage(v1::AppLog& app) {
  auto& fields = *app.mutable_fields();
  for (const char* name : {"message", "msg"}) {
    auto it = fields.find(name);
    if (it == fields.end()) continue;
    app.set_message(std::move(it->second));
    fields.erase(it);
    return;
  }
}

void TakeTime(const v1::AppLog& app, v1::Event& event) {
  // eventTime: AWS CloudTrail; published: Okta System Log.
  for (const char* name : {"@timestamp", "timestamp", "time", "eventTime", "published"}) {
    auto it = app.fields().find(name);
    if (it == app.fields().end()) continue;
    google::protobuf::Timestamp ts;
    if (ParseRfc3339(name, it->second, ts).ok()) {
      *event.mutable_event_time() = ts;
      return;
    }
  }
}

}  // namespace

absl::StatusOr<LineKind> JsonParser::Parse(std::string_view line, v1::Event& event) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  line = StripBom(line);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return LineKind::kSkipped;
  v1::AppLog* app = event.mutable_app();
  JsonFlattener flattener(*app->mutable_fields(), kMaxDepth);
  const bool ok = nlohmann::json::sax_parse(line.begin(), line.end(), &flattener);
  if (!ok) {
    return absl::InvalidArgumentError(flattener.error().empty() ? "invalid JSON"
                                                                : flattener.error());
  }
  TakeMessage(*app);
  TakeTime(*app, event);
  return LineKind::kRecord;
}

}  // namespace tripline::agent
