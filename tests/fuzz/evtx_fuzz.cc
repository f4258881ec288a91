// libFuzzer target for the EVTX path: the input is an .evtx file, opened through libevtx as the
// evtx source does (from a path: an in-memory file), every record and every recovered record
// rendered to XML, read by EvtxXmlReader and normalized. Broken chunks must come back as errors.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/normalize/windows/windows_event_normalizer.h"
#include "agent/sources/evtx/evtx_file.h"
#include "agent/sources/evtx/evtx_xml_reader.h"

using namespace tripline::agent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int fd = memfd_create("evtx", 0);
  static WindowsEventNormalizer normalizer;
  if (fd < 0) return 0;
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  auto file = EvtxFile::Open("/proc/self/fd/" + std::to_string(fd));
  if (!file.ok()) return 0;
  for (bool recovered : {false, true}) {
    int n = (*file)->RecordCount(recovered);
    for (int i = 0; i < n && i < 2000; ++i) {
      (void)(*file)->Info(i, recovered);
      auto xml = (*file)->Xml(i, recovered);
      if (!xml.ok()) continue;
      WindowsEventRecord record;
      if (!EvtxXmlReader::Read(*xml, record).ok()) continue;
      tripline::v1::Event event;
      normalizer.Normalize(record, event);
    }
  }
  return 0;
}
