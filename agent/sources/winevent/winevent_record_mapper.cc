#include "agent/sources/winevent/winevent_record_mapper.h"

#include "agent/sources/evtx/evtx_xml_reader.h"
#include "agent/sources/evtx/original_xml.h"
#include "common/hash.h"
#include "common/time_util.h"

namespace tripline::agent {

WineventRecordMapper::WineventRecordMapper(std::string source_name, std::string agent_id,
                                           v1::Host host)
    : source_name_(std::move(source_name)),
      agent_id_(std::move(agent_id)),
      host_(std::move(host)) {}

absl::Status WineventRecordMapper::Read(std::string_view xml, WindowsEventRecord& record) {
  record = WindowsEventRecord();
  return EvtxXmlReader::Read(xml, record);
}

std::string WineventRecordMapper::FileId(std::string_view channel, uint64_t generation) {
  return StableId({"winevent", channel, std::to_string(generation)});
}

bool WineventRecordMapper::Fill(const WindowsEventRecord& record, std::string_view xml,
                                const std::string& channel, uint64_t generation, v1::Event& event) {
  event.Clear();
  std::string file_id = FileId(channel, generation);
  EventIdKey(agent_id_, file_id).IdTo(record.record_id, event.mutable_event_id());
  event.set_agent_id(agent_id_);
  *event.mutable_host() = host_;
  *event.mutable_observed_time() = NowTimestamp();
  v1::Source* src = event.mutable_source();
  src->set_kind(v1::Source::KIND_WINEVENT);
  src->set_name(source_name_);
  src->set_path(channel);
  src->set_file_id(std::move(file_id));
  src->set_position(record.record_id);
  src->set_format("evtx");
  bool cut = SetOriginalXml(xml, event);
  normalizer_.Normalize(record, event);
  if (!event.has_event_time()) *event.mutable_event_time() = event.observed_time();
  return cut;
}

}  // namespace tripline::agent
