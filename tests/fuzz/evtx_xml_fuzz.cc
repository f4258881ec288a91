// libFuzzer target for the event XML reader and the Windows normalizer (what libevtx renders,
// and what the Windows build's EvtRender gives): any text in, a record or an error out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/normalize/windows/windows_event_normalizer.h"
#include "agent/sources/evtx/evtx_xml_reader.h"

using namespace tripline::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static WindowsEventNormalizer normalizer;
  WindowsEventRecord record;
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  if (!EvtxXmlReader::Read(xml, record).ok()) return 0;
  tripline::v1::Event event;
  normalizer.Normalize(record, event);
  (void)event.SerializeAsString();
  return 0;
}
