#include "correlator/sinks/syslog/cef_format.h"

#include "common/time_util.h"
#include "correlator/sinks/syslog/alert_fields.h"

namespace tripline::correlator {
namespace {

bool IsControl(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c < 0x20 || c == 0x7F;
}

class Extension {
 public:
  void Add(const char* key, std::string_view value) {
    if (value.empty()) return;
    if (!out_.empty()) out_ += ' ';
    out_ += key;
    out_ += '=';
    out_ += CefExtensionEscape(Utf8Prefix(value, kMaxValueBytes));
  }
  // A custom string with its label (cs1..cs6).
  void AddLabeled(const char* key, const char* label, std::string_view value) {
    if (value.empty()) return;
    Add((std::string(key) + "Label").c_str(), label);
    Add(key, value);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

std::string EpochMillis(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return std::to_string(MicrosFromTimestamp(ts) / 1000);
}

}  // namespace

std::string CefHeaderEscape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\' || ch == '|') out += '\\';
    out += IsControl(ch) ? ' ' : ch;
  }
  return out;
}

std::string CefExtensionEscape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '=': out += "\\="; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += IsControl(ch) ? ' ' : ch;
    }
  }
  return out;
}

int CefSeverity(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_CRITICAL: return 10;
    case v1::SEVERITY_HIGH: return 8;
    case v1::SEVERITY_MEDIUM: return 5;
    case v1::SEVERITY_LOW: return 3;
    case v1::SEVERITY_INFORMATIONAL: return 1;
    default: return 0;
  }
}

std::string RenderCef(const v1::Alert& a, std::string_view version) {
  const AlertFields f = CollectAlertFields(a);
  Extension x;
  x.Add("rt", EpochMillis(a.window_end()));
  x.Add("start", EpochMillis(a.window_start()));
  x.Add("end", EpochMillis(a.window_end()));
  x.Add("cnt", std::to_string(a.event_ids_size()));
  x.Add("dhost", f.dst_host);
  x.Add("dst", f.dst_ip);
  x.Add("shost", f.src_host);
  x.Add("src", f.src_ip);
  x.Add("spt", f.src_port);
  x.Add("dpt", f.dst_port);
  x.Add("proto", f.transport);
  x.Add("suser", f.src_user);
  x.Add("duser", f.dst_user);
  x.Add("sproc", f.src_process);
  x.Add("spid", f.src_pid);
  x.Add("dproc", f.dst_process);
  x.Add("dpid", f.dst_pid);
  x.Add("fname", f.file_name);
  x.Add("filePath", f.file_path);
  x.Add("fileHash", f.file_hash);
  x.Add("request", f.request);
  x.Add("requestMethod", f.request_method);
  x.Add("requestClientApplication", f.user_agent);
  x.Add("act", f.action);
  x.Add("cat", a.rule().kind());
  x.Add("msg", a.message());
  x.Add("externalId", a.alert_id());
  x.AddLabeled("cs1", "alertId", a.alert_id());
  x.AddLabeled("cs2", "mitreTechniques", f.techniques);
  x.AddLabeled("cs3", "mitreTactics", f.tactics);
  x.AddLabeled("cs4", "ruleset", a.rule().ruleset());
  x.AddLabeled("cs5", "groupKey", a.group_key());

  std::string out = "CEF:0|Tripline|Tripline Correlator|";
  out += CefHeaderEscape(version);
  out += '|';
  out += CefHeaderEscape(Utf8Prefix(a.rule().id(), kMaxValueBytes));
  out += '|';
  out += CefHeaderEscape(Utf8Prefix(a.rule().title(), 512));
  out += '|';
  out += std::to_string(CefSeverity(a.severity()));
  out += '|';
  out += x.str();
  return out;
}

}  // namespace tripline::correlator
