#include "correlator/sinks/syslog/syslog_message.h"

#include "common/time_util.h"

namespace tripline::correlator {
namespace {

void AppendField(std::string& out, std::string_view value, size_t max) {
  if (value.empty()) {
    out += '-';
    return;
  }
  value = value.substr(0, max);
  for (char ch : value) out += (ch >= 33 && ch <= 126) ? ch : '_';
}

}  // namespace

int SyslogSeverity(v1::Severity severity) {
  switch (severity) {
    case v1::SEVERITY_CRITICAL: return 2;
    case v1::SEVERITY_HIGH: return 3;
    case v1::SEVERITY_MEDIUM: return 4;
    case v1::SEVERITY_LOW: return 5;
    default: return 6;
  }
}

std::string Rfc5424Message(const SyslogHeader& header, int severity,
                           const google::protobuf::Timestamp& time, std::string_view msg) {
  std::string out = "<" + std::to_string(header.facility * 8 + severity) + ">1 ";
  out += Rfc3339(time);
  out += ' ';
  AppendField(out, header.hostname, 255);
  out += ' ';
  AppendField(out, header.app_name, 48);
  out += ' ';
  AppendField(out, header.procid, 128);
  out += ' ';
  AppendField(out, header.msgid, 32);
  out += " - ";
  out += msg;
  return out;
}

std::string OctetCountedFrame(std::string_view message) {
  std::string out = std::to_string(message.size());
  out += ' ';
  out += message;
  return out;
}

}  // namespace tripline::correlator
