#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/normalize/windows/windows_event_record.h"
#include "common/status.h"

namespace tripline::agent {

// Reads the XML rendering of one event record (libevtx's, or EvtRender's) into a
// WindowsEventRecord: System (Provider@Name, EventID, Level, TimeCreated@SystemTime,
// EventRecordID, Channel, Computer, Security@UserID), EventData (<Data Name="X">v</Data> by name,
// unnamed <Data> as param1, param2, ...), UserData / ProcessingErrorData / DebugData (leaf
// elements by local name, a repeated name by its dotted path) and RenderingInfo/Message.
//
// A small reader for this one vocabulary, not a general XML parser: no DTDs, namespaces reduced
// to local names, the five named entities and numeric character references decoded, comments,
// processing instructions and CDATA handled. Nesting is limited to kMaxDepth. Malformed input is
// an error naming the byte offset, never a crash. Stateless and thread-safe.
class EvtxXmlReader {
 public:
  static constexpr int kMaxDepth = 64;

  [[nodiscard]] static absl::Status Read(std::string_view xml, WindowsEventRecord& out);

  // One element of the parsed document (exposed for the flattening helpers and tests).
  struct Node {
    std::string name;  // local name
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string text;  // character data directly inside, entities decoded
    std::vector<Node> children;

    const Node* Child(std::string_view child_name) const;
    std::string_view Attribute(std::string_view attribute_name) const;
  };

  [[nodiscard]] static absl::StatusOr<Node> Parse(std::string_view xml);
};

// Appends `text` to `out` with XML entity and character references decoded; an unknown or
// malformed reference is kept as written.
void AppendXmlDecoded(std::string_view text, std::string& out);

}  // namespace tripline::agent
