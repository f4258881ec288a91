#include "correlator/sinks/syslog/leef_format.h"

#include <ctime>

#include "correlator/sinks/syslog/alert_fields.h"

namespace tripline::correlator {
namespace {

// Java SimpleDateFormat for devTime: 2021-03-05T03:06:27.000+0000.
constexpr const char* kDevTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ";

std::string DevTime(const google::protobuf::Timestamp& ts) {
  const time_t secs = static_cast<time_t>(ts.seconds());
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.nanos() / 1000000);
  return buf;
}

class Attributes {
 public:
  void Add(const char* key, std::string_view value) {
    if (value.empty()) return;
    if (!out_.empty()) out_ += kLeefDelimiter;
    out_ += key;
    out_ += '=';
    out_ += LeefValue(Utf8Prefix(value, kMaxValueBytes));
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

}  // namespace

std::string LeefValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == kLeefDelimiter) {
      out += '_';
    } else {
      out += (c < 0x20 || c == 0x7F) ? ' ' : ch;
    }
  }
  return out;
}

std::string LeefHeaderValue(std::string_view value) {
  std::string out = LeefValue(value);
  for (char& ch : out) {
    if (ch == '|') ch = '_';
  }
  return out;
}

int LeefSeverity(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_CRITICAL: return 10;
    case v1::SEVERITY_HIGH: return 8;
    case v1::SEVERITY_MEDIUM: return 5;
    case v1::SEVERITY_LOW: return 3;
    default: return 1;
  }
}

std::string RenderLeef(const v1::Alert& a, std::string_view version) {
  const AlertFields f = CollectAlertFields(a);
  Attributes x;
  x.Add("devTime", DevTime(a.window_end()));
  x.Add("devTimeFormat", kDevTimeFormat);
  x.Add("cat", a.rule().kind());
  x.Add("sev", std::to_string(LeefSeverity(a.severity())));
  x.Add("src", f.src_ip);
  x.Add("dst", f.dst_ip);
  x.Add("srcPort", f.src_port);
  x.Add("dstPort", f.dst_port);
  x.Add("proto", f.transport);
  x.Add("usrName", f.src_user);
  x.Add("resource", f.dst_host);
  x.Add("url", f.request);
  x.Add("alertId", a.alert_id());
  x.Add("ruleName", a.rule().title());
  x.Add("ruleset", a.rule().ruleset());
  x.Add("groupKey", a.group_key());
  x.Add("eventCount", std::to_string(a.event_ids_size()));
  x.Add("mitreTechniques", f.techniques);
  x.Add("mitreTactics", f.tactics);
  x.Add("msg", a.message());
  x.Add("srcHostName", f.src_host);
  x.Add("targetUser", f.dst_user);
  x.Add("dstProcessName", f.dst_process);
  x.Add("dstProcessId", f.dst_pid);
  x.Add("srcProcessName", f.src_process);
  x.Add("srcProcessId", f.src_pid);
  x.Add("fileName", f.file_name);
  x.Add("filePath", f.file_path);
  x.Add("fileHash", f.file_hash);
  x.Add("requestMethod", f.request_method);
  x.Add("userAgent", f.user_agent);
  x.Add("action", f.action);

  std::string out = "LEEF:2.0|Tripline|Tripline Correlator|";
  out += LeefHeaderValue(version);
  out += '|';
  out += LeefHeaderValue(Utf8Prefix(a.rule().id(), 255));
  out += '|';
  out += kLeefDelimiter;
  out += '|';
  out += x.str();
  return out;
}

}  // namespace tripline::correlator
