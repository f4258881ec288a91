#include "agent/sources/evtx/evtx_xml_reader.h"

#include <charconv>

#include "agent/normalize/windows/windows_time.h"

namespace tripline::agent {
namespace {

using Node = EvtxXmlReader::Node;

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Decodes the reference `ref` (between '&' and ';'); false when it is not one.
bool DecodeReference(std::string_view ref, std::string& out) {
  static constexpr std::pair<std::string_view, char> kNamed[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& [name, c] : kNamed) {
    if (ref == name) {
      out += c;
      return true;
    }
  }
  if (ref.size() < 2 || ref[0] != '#') return false;
  int base = (ref[1] == 'x' || ref[1] == 'X') ? 16 : 10;
  std::string_view digits = ref.substr(base == 16 ? 2 : 1);
  uint32_t cp = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, base);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) return false;
  AppendUtf8(cp, out);
  return true;
}

std::string_view LocalName(std::string_view name) {
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool IsNameEnd(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>';
}

// A cursor over the document; each Read* consumes one construct.
class Scanner {
 public:
  explicit Scanner(std::string_view xml) : xml_(xml) {}

  absl::StatusOr<Node> Document() {
    Node root;  // a synthetic parent of the document element
    std::vector<Node*> stack = {&root};
    while (pos_ < xml_.size()) {
      if (xml_[pos_] != '<') {
        size_t lt = xml_.find('<', pos_);
        if (lt == std::string_view::npos) lt = xml_.size();
        AppendXmlDecoded(xml_.substr(pos_, lt - pos_), stack.back()->text);
        pos_ = lt;
      } else {
        TRIPLINE_RETURN_IF_ERROR(Markup(stack));
      }
    }
    if (stack.size() != 1) return Error("unclosed element <" + stack.back()->name + ">");
    if (root.children.size() != 1) return Error("expected one document element");
    return std::move(root.children.front());
  }

 private:
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError("event XML at byte " + std::to_string(pos_) + ": " + what);
  }

  absl::Status Skip(std::string_view terminator, std::string* cdata = nullptr) {
    size_t end = xml_.find(terminator, pos_);
    if (end == std::string_view::npos) return Error("unterminated markup");
    if (cdata != nullptr) cdata->append(xml_.substr(pos_ + 9, end - pos_ - 9));
    pos_ = end + terminator.size();
    return absl::OkStatus();
  }

  absl::Status Markup(std::vector<Node*>& stack) {
    std::string_view rest = xml_.substr(pos_);
    if (rest.starts_with("<?")) return Skip("?>");
    if (rest.starts_with("<!--")) return Skip("-->");
    if (rest.starts_with("<![CDATA[")) return Skip("]]>", &stack.back()->text);
    if (rest.starts_with("<!")) return Skip(">");
    if (rest.starts_with("</")) return EndTag(stack);
    return StartTag(stack);
  }

  absl::Status EndTag(std::vector<Node*>& stack) {
    size_t gt = xml_.find('>', pos_);
    if (gt == std::string_view::npos) return Error("unterminated end tag");
    std::string_view name = LocalName(xml_.substr(pos_ + 2, gt - pos_ - 2));
    while (!name.empty() && IsNameEnd(name.back())) name.remove_suffix(1);
    if (stack.size() < 2 || stack.back()->name != name) {
      return Error("end tag </" + std::string(name) + "> does not match");
    }
    stack.pop_back();
    pos_ = gt + 1;
    return absl::OkStatus();
  }

  absl::Status StartTag(std::vector<Node*>& stack) {
    ++pos_;
    size_t begin = pos_;
    while (pos_ < xml_.size() && !IsNameEnd(xml_[pos_])) ++pos_;
    if (pos_ == begin) return Error("element without a name");
    if (stack.size() > static_cast<size_t>(EvtxXmlReader::kMaxDepth)) {
      return Error("elements nested deeper than " + std::to_string(EvtxXmlReader::kMaxDepth));
    }
    Node& node = stack.back()->children.emplace_back();
    node.name = std::string(LocalName(xml_.substr(begin, pos_ - begin)));
    while (true) {
      while (pos_ < xml_.size() && IsNameEnd(xml_[pos_]) && xml_[pos_] != '/' &&
             xml_[pos_] != '>') {
        ++pos_;
      }
      if (pos_ >= xml_.size()) return Error("unterminated start tag <" + node.name + ">");
      if (xml_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return absl::OkStatus();
      }
      if (xml_[pos_] == '>') {
        ++pos_;
        stack.push_back(&node);
        return absl::OkStatus();
      }
      TRIPLINE_RETURN_IF_ERROR(Attribute(node));
    }
  }

  absl::Status Attribute(Node& node) {
    size_t eq = xml_.find('=', pos_);
    if (eq == std::string_view::npos || eq + 1 >= xml_.size()) return Error("bad attribute");
    std::string_view name = xml_.substr(pos_, eq - pos_);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    char quote = xml_[eq + 1];
    if (quote != '"' && quote != '\'') return Error("unquoted attribute value");
    size_t close = xml_.find(quote, eq + 2);
    if (close == std::string_view::npos) return Error("unterminated attribute value");
    std::string value;
    AppendXmlDecoded(xml_.substr(eq + 2, close - eq - 2), value);
    node.attributes.emplace_back(std::string(LocalName(name)), std::move(value));
    pos_ = close + 1;
    return absl::OkStatus();
  }

  std::string_view xml_;
  size_t pos_ = 0;
};

bool HasElementChildren(const Node& node) { return !node.children.empty(); }

// UserData and friends: leaves by local name; a repeated name by its dotted path.
void FlattenLeaves(const Node& node, const std::string& path, WindowsEventRecord& out) {
  for (const Node& child : node.children) {
    std::string child_path = path.empty() ? child.name : path + "." + child.name;
    if (HasElementChildren(child)) {
      FlattenLeaves(child, child_path, out);
    } else if (!out.data.emplace(child.name, child.text).second) {
      out.data[child_path] = child.text;
    }
  }
}

void ReadEventData(const Node& event_data, WindowsEventRecord& out) {
  size_t positional = 0;
  for (const Node& child : event_data.children) {
    if (child.name != "Data") {
      out.data.emplace(child.name, child.text);  // <Binary>
      continue;
    }
    std::string_view name = child.Attribute("Name");
    std::string key = name.empty() ? WindowsEventRecord::PositionalName(positional++)
                                   : std::string(name);
    out.data.emplace(std::move(key), child.text);
  }
}

template <typename T>
void ReadNumber(const Node* node, T& out) {
  if (node == nullptr) return;
  std::string_view text = node->text;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  std::from_chars(text.data(), text.data() + text.size(), out);
}

}  // namespace

const Node* Node::Child(std::string_view child_name) const {
  for (const Node& child : children) {
    if (child.name == child_name) return &child;
  }
  return nullptr;
}

std::string_view Node::Attribute(std::string_view attribute_name) const {
  for (const auto& [key, value] : attributes) {
    if (key == attribute_name) return value;
  }
  return {};
}

void AppendXmlDecoded(std::string_view text, std::string& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    out.append(text.substr(pos, amp - pos));
    if (amp == text.size()) break;
    size_t semi = text.find(';', amp);
    if (semi == std::string_view::npos || semi - amp > 12 ||
        !DecodeReference(text.substr(amp + 1, semi - amp - 1), out)) {
      out += '&';
      pos = amp + 1;
      continue;
    }
    pos = semi + 1;
  }
}

absl::StatusOr<Node> EvtxXmlReader::Parse(std::string_view xml) { return Scanner(xml).Document(); }

absl::Status EvtxXmlReader::Read(std::string_view xml, WindowsEventRecord& out) {
  TRIPLINE_ASSIGN_OR_RETURN(Node event, Parse(xml));
  if (event.name != "Event") {
    return absl::InvalidArgumentError("not an <Event>: <" + event.name + ">");
  }
  if (const Node* system = event.Child("System")) {
    if (const Node* p = system->Child("Provider")) out.provider = std::string(p->Attribute("Name"));
    ReadNumber(system->Child("EventID"), out.event_id);
    ReadNumber(system->Child("Level"), out.level);
    ReadNumber(system->Child("EventRecordID"), out.record_id);
    if (const Node* c = system->Child("Channel")) out.channel = c->text;
    if (const Node* c = system->Child("Computer")) out.computer = c->text;
    if (const Node* s = system->Child("Security")) {
      out.user_sid = std::string(s->Attribute("UserID"));
    }
    if (const Node* t = system->Child("TimeCreated")) {
      out.has_time = ParseWindowsTime(t->Attribute("SystemTime"), out.time_micros);
    }
  }
  if (const Node* data = event.Child("EventData")) ReadEventData(*data, out);
  for (const char* part : {"UserData", "ProcessingErrorData", "DebugData"}) {
    if (const Node* data = event.Child(part)) FlattenLeaves(*data, "", out);
  }
  if (const Node* info = event.Child("RenderingInfo")) {
    if (const Node* m = info->Child("Message")) out.message = m->text;
  }
  return absl::OkStatus();
}

}  // namespace tripline::agent
