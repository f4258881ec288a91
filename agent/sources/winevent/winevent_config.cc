#include "agent/sources/winevent/winevent_config.h"

namespace tripline::agent {

std::vector<WineventChannel> DefaultWineventChannels() {
  return {{"Security", ""},
          {"System", ""},
          {"Application", ""},
          {"Microsoft-Windows-Sysmon/Operational", ""},
          {"MSExchange Management", ""}};
}

}  // namespace tripline::agent
