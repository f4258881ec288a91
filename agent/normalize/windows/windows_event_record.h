#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace tripline::agent {

// A Windows event in neutral form, as every Windows input (EVTX records, JSON lines written by
// NXLog or Winlogbeat, live EvtSubscribe) can produce it. WindowsEventNormalizer turns it into
// the typed body of a v1::Event. Plain data: no invariants, copied and reused freely.
struct WindowsEventRecord {
  std::string provider;  // System/Provider@Name, e.g. Microsoft-Windows-Sysmon
  std::string channel;   // System/Channel, e.g. Microsoft-Windows-Sysmon/Operational
  uint32_t event_id = 0;
  uint32_t level = 0;    // 1 critical, 2 error, 3 warning, 4 information, 5 verbose (0: log always)
  uint64_t record_id = 0;
  std::string computer;
  int64_t time_micros = 0;  // UTC microseconds since the epoch; valid only when has_time
  bool has_time = false;
  std::string user_sid;     // System/Security@UserID
  // EventData <Data Name="X"> values by name; unnamed (positional) <Data> values are named
  // param1, param2, ... in document order (Winlogbeat's convention); UserData leaves by their
  // element name. PositionalName(i) gives the name of the i-th (0-based) positional value.
  std::map<std::string, std::string> data;
  std::string message;  // rendered message text, when the collector rendered it

  static std::string PositionalName(size_t index) { return "param" + std::to_string(index + 1); }
};

}  // namespace tripline::agent
