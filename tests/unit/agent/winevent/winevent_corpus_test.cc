// Every record of the real EVTX samples, rendered the way EvtRender(EvtRenderEventXml) renders
// it (one line, single-quoted attributes, the event namespace, entities for quotes, HexInt
// values without zero padding), must map to the same body and time as EvtxSource reads from the
// file: an attack seen live and in an exported log looks the same to the rules.
//
// Inputs: ../shared/data/samples/evtxattack_*.evtx (sbousseaden/EVTX-ATTACK-SAMPLES @ 4ceed2f4).
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "agent/sources/evtx/evtx_file.h"
#include "agent/sources/evtx/evtx_source.h"
#include "agent/sources/evtx/evtx_xml_reader.h"
#include "agent/sources/winevent/winevent_record_mapper.h"
#include "tests/support/wine.h"

namespace tripline::agent {
namespace {

using Node = EvtxXmlReader::Node;

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Windows renders HexInt32/64 data as 0x1fffff where libevtx writes 0x001fffff.
std::string Unpadded(const std::string& value) {
  if ((value.size() != 10 && value.size() != 18) || value.rfind("0x0", 0) != 0 ||
      value.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos) {
    return value;
  }
  size_t first = value.find_first_not_of('0', 2);
  return "0x" + (first == std::string::npos ? std::string("0") : value.substr(first));
}

void RenderLikeEvtRender(const Node& node, bool document, std::string& out) {
  out += "<" + node.name;
  if (document) out += " xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
  for (const auto& [name, value] : node.attributes) {
    if (name != "xmlns") out += " " + name + "='" + Escape(value) + "'";
  }
  if (node.children.empty() && node.text.empty() && node.name != "Data") {
    out += "/>";
    return;
  }
  out += ">";
  if (node.children.empty()) out += Escape(node.name == "Data" ? Unpadded(node.text) : node.text);
  for (const Node& child : node.children) RenderLikeEvtRender(child, false, out);
  out += "</" + node.name + ">";
}

class WineventCorpusTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::string path() const {
    return tripline::testing::HostPath(std::string(TRIPLINE_WINEVENT_SHARED_DIR) +
                                       "/data/samples/" + GetParam());
  }
};

TEST_P(WineventCorpusTest, LiveRenderingMapsLikeTheEvtxFile) {
  // What the EVTX source ships, by EventRecordID.
  EvtxSource source({.name = "evtx", .path = path(), .poll_interval = {}}, "agent-1", v1::Host());
  ASSERT_TRUE(source.Start("").ok());
  std::map<uint64_t, v1::Event> from_file;
  absl::StatusOr<size_t> n = source.Poll(1 << 24, [&](const v1::Event& e) {
    auto label = e.labels().find("evtx.event_record_id");
    uint64_t id = label == e.labels().end() ? e.source().position() : std::stoull(label->second);
    from_file[id] = e;
    return absl::OkStatus();
  });
  ASSERT_TRUE(n.ok()) << n.status();
  ASSERT_FALSE(from_file.empty());

  auto file = EvtxFile::Open(path());
  ASSERT_TRUE(file.ok()) << file.status();
  WineventRecordMapper mapper("winevent", "agent-1", v1::Host());
  size_t compared = 0;
  for (int i = 0; i < (*file)->RecordCount(false); ++i) {
    absl::StatusOr<std::string> xml = (*file)->Xml(i, false);
    ASSERT_TRUE(xml.ok()) << xml.status();
    absl::StatusOr<Node> tree = EvtxXmlReader::Parse(*xml);
    ASSERT_TRUE(tree.ok()) << tree.status();
    std::string rendered;
    RenderLikeEvtRender(*tree, true, rendered);
    ASSERT_EQ(rendered.find('\n'), std::string::npos);

    WindowsEventRecord record;
    ASSERT_TRUE(WineventRecordMapper::Read(rendered, record).ok()) << rendered;
    v1::Event live;
    mapper.Fill(record, rendered, record.channel, 0, live);
    ASSERT_EQ(from_file.count(record.record_id), 1u) << "record " << record.record_id;
    v1::Event expected = from_file.at(record.record_id);
    EXPECT_EQ(live.source().position(), record.record_id);
    EXPECT_EQ(live.source().kind(), v1::Source::KIND_WINEVENT);
    EXPECT_EQ(live.body_case(), expected.body_case()) << rendered;
    EXPECT_EQ(live.event_time().seconds(), expected.event_time().seconds());
    EXPECT_EQ(live.event_time().nanos(), expected.event_time().nanos());
    // The bodies, field by field: the envelopes differ by design (kind, file_id, original).
    for (v1::Event* e : {&live, &expected}) {
      e->clear_event_id();
      e->clear_observed_time();
      e->clear_source();
      e->clear_original();
      e->clear_labels();
    }
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(expected, live)) << "record " << record.record_id << ": " << diff;
    ++compared;
  }
  EXPECT_EQ(compared, from_file.size());
}

INSTANTIATE_TEST_SUITE_P(
    Samples, WineventCorpusTest,
    ::testing::Values("evtxattack_LM_typical_IIS_webshell_sysmon_1_10_traces.evtx",
                      "evtxattack_powercat_revShell_sysmon_1_3.evtx",
                      "evtxattack_sysmon_10_1_memdump_comsvcs_minidump.evtx",
                      "evtxattack_sysmon_10_11_lsass_memdump.evtx"));

}  // namespace
}  // namespace tripline::agent
