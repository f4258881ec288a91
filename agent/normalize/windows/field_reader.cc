#include "agent/normalize/windows/field_reader.h"

#include <charconv>

namespace tripline::agent {

std::string_view FieldReader::Get(std::string_view name) const {
  auto it = record_.data.find(std::string(name));
  if (it == record_.data.end() || it->second == "-") return {};
  return it->second;
}

std::string FieldReader::Bounded(std::string_view value) const {
  if (value.size() <= kMaxValueBytes) return std::string(value);
  size_t cut = kMaxValueBytes;
  // Never split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  if (truncated_ != nullptr) ++*truncated_;
  return std::string(value.substr(0, cut));
}

uint64_t FieldReader::Number(std::string_view name) const {
  uint64_t n = 0;
  return ParseNumber(Get(name), n) ? n : 0;
}

std::pair<std::string_view, std::string_view> SplitUser(std::string_view user) {
  size_t slash = user.find('\\');
  if (slash == std::string_view::npos) return {std::string_view(), user};
  return {user.substr(0, slash), user.substr(slash + 1)};
}

bool ParseNumber(std::string_view text, uint64_t& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace tripline::agent
