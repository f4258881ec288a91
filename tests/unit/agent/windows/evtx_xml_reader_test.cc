#include "agent/sources/evtx/evtx_xml_reader.h"

#include <gtest/gtest.h>

#include <random>

namespace tripline::agent {
namespace {

TEST(EvtxXmlReaderTest, SystemNamedDataAndEntities) {
  constexpr std::string_view kXml = R"(<?xml version="1.0" encoding="utf-8"?>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>
    <EventID>1</EventID>
    <Level>4</Level>
    <TimeCreated SystemTime="2019-06-20T08:07:42.331810800Z"/>
    <EventRecordID>8112</EventRecordID>
    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>
    <Computer>IEWIN7</Computer>
    <Security UserID="S-1-5-18"/>
  </System>
  <!-- a comment -->
  <EventData>
    <Data Name="RuleName"/>
    <Data Name="CommandLine">cmd /c echo a&amp;b &lt;x&gt; &quot;q&quot; &apos;s&apos; &#x41;&#66;&#xe9;&#x1F600; &bogus; &amp</Data>
    <Data Name="Script"><![CDATA[<b>&amp;</b>]]></Data>
  </EventData>
</Event>)";
  WindowsEventRecord r;
  ASSERT_TRUE(EvtxXmlReader::Read(kXml, r).ok());
  EXPECT_EQ(r.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(r.event_id, 1u);
  EXPECT_EQ(r.level, 4u);
  EXPECT_EQ(r.record_id, 8112u);
  EXPECT_EQ(r.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(r.computer, "IEWIN7");
  EXPECT_EQ(r.user_sid, "S-1-5-18");
  ASSERT_TRUE(r.has_time);
  EXPECT_EQ(r.time_micros, 1561018062331810);
  EXPECT_EQ(r.data.at("RuleName"), "");
  EXPECT_EQ(r.data.at("CommandLine"),
            "cmd /c echo a&b <x> \"q\" 's' AB\xC3\xA9\xF0\x9F\x98\x80 &bogus; &amp");
  EXPECT_EQ(r.data.at("Script"), "<b>&amp;</b>");
}

TEST(EvtxXmlReaderTest, PositionalDataUserDataAndRenderedMessage) {
  constexpr std::string_view kXml =
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
      "<Provider Name='MSExchange CmdletLogs'/><EventID Qualifiers='49152'>6</EventID>"
      "<Level>2</Level><EventRecordID>735</EventRecordID><Channel>MSExchange Management</Channel>"
      "<Security/></System><EventData><Data>Add-DatabaseAvailabilityGroupServer</Data>"
      "<Data>{MailboxServer=SCEX02, Identity=DAG1}</Data><Data></Data><Binary>00FF</Binary>"
      "</EventData><UserData><ev:LogFileCleared xmlns:ev='x'><ev:SubjectUserName>bob</ev:SubjectUserName>"
      "<Inner><SubjectUserName>dup</SubjectUserName></Inner></ev:LogFileCleared></UserData>"
      "<RenderingInfo Culture='en-US'><Message>Cmdlet failed.</Message></RenderingInfo></Event>";
  WindowsEventRecord r;
  ASSERT_TRUE(EvtxXmlReader::Read(kXml, r).ok());
  EXPECT_EQ(r.event_id, 6u);
  EXPECT_EQ(r.data.at("param1"), "Add-DatabaseAvailabilityGroupServer");
  EXPECT_EQ(r.data.at("param2"), "{MailboxServer=SCEX02, Identity=DAG1}");
  EXPECT_EQ(r.data.at("param3"), "");
  EXPECT_EQ(r.data.at("Binary"), "00FF");
  EXPECT_EQ(r.data.at("SubjectUserName"), "bob");
  EXPECT_EQ(r.data.at("LogFileCleared.Inner.SubjectUserName"), "dup");
  EXPECT_EQ(r.message, "Cmdlet failed.");
  EXPECT_FALSE(r.has_time);
}

TEST(EvtxXmlReaderTest, MalformedInputIsAnErrorNotACrash) {
  const char* cases[] = {
      "",
      "<Event>",
      "<Event><System></Event>",
      "<Event><Data Name=\"x>v</Data></Event>",
      "<Event><Data Name=x>v</Data></Event>",
      "<Event></System></Event>",
      "<Event/><Event/>",
      "<Event><!-- unterminated",
      "<>",
      "<Other/>",
  };
  for (const char* xml : cases) {
    WindowsEventRecord r;
    EXPECT_FALSE(EvtxXmlReader::Read(xml, r).ok()) << xml;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  WindowsEventRecord r;
  absl::Status st = EvtxXmlReader::Read(deep, r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("deeper"), std::string::npos) << st;
}

TEST(EvtxXmlReaderTest, MutatedAndCutDocumentsNeverCrash) {
  const std::string xml =
      "<Event xmlns='e'><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID>"
      "<TimeCreated SystemTime='2019-06-20T08:07:42.3318108Z'/><Channel>c</Channel></System>"
      "<EventData><Data Name='CommandLine'>a &amp; b &#x41; <![CDATA[x]]></Data><Data>p</Data>"
      "</EventData><UserData><A><B>v</B></A></UserData></Event>";
  std::mt19937 rng(20210302);  // fixed: the same cases every run
  const std::string alphabet = "<>/&;#x='\"![]-? aZ";
  int parsed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string doc = xml;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) doc[rng() % doc.size()] = alphabet[rng() % alphabet.size()];
    if (i % 3 == 0) doc.resize(rng() % doc.size());
    WindowsEventRecord r;
    parsed += EvtxXmlReader::Read(doc, r).ok() ? 1 : 0;
  }
  EXPECT_GT(parsed, 0);  // some mutations stay well-formed (inside text)
}

}  // namespace
}  // namespace tripline::agent
