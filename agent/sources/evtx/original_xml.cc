#include "agent/sources/evtx/original_xml.h"

#include <algorithm>

namespace tripline::agent {

bool SetOriginalXml(std::string_view xml, v1::Event& event) {
  size_t cut = std::min(xml.size(), kMaxOriginalXmlBytes);
  while (cut > 0 && cut < xml.size() && (static_cast<unsigned char>(xml[cut]) & 0xC0) == 0x80) {
    --cut;  // never split a UTF-8 sequence
  }
  event.set_original(std::string(xml.substr(0, cut)));
  if (cut == xml.size()) return false;
  event.set_original_truncated(true);
  return true;
}

}  // namespace tripline::agent
