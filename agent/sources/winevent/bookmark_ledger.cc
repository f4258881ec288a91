#include "agent/sources/winevent/bookmark_ledger.h"

#include <charconv>
#include <optional>
#include <vector>

namespace tripline::agent {
namespace {

void AppendEscaped(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

bool ParseU64(std::string_view text, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t tab = line.find('\t');
    parts.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return parts;
    line.remove_prefix(tab + 1);
  }
}

}  // namespace

absl::Status BookmarkLedger::Load(std::string_view state) {
  durable_.clear();
  last_.clear();
  pending_.clear();
  emitted_ = 0;
  if (state.empty()) return absl::OkStatus();
  size_t line_no = 0;
  while (!state.empty()) {
    size_t nl = state.find('\n');
    std::string_view line = state.substr(0, nl);
    state = nl == std::string_view::npos ? std::string_view() : state.substr(nl + 1);
    ++line_no;
    if (line_no == 1) {
      if (line != kStateHeader) {
        return absl::InvalidArgumentError("saved state does not start with '" +
                                          std::string(kStateHeader) + "'");
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string_view> parts = SplitTabs(line);
    WineventMark mark;
    std::optional<std::string> channel = parts.size() == 4 ? Unescape(parts[0]) : std::nullopt;
    std::optional<std::string> bookmark = parts.size() == 4 ? Unescape(parts[3]) : std::nullopt;
    if (!channel || channel->empty() || !bookmark || !ParseU64(parts[1], mark.record_id) ||
        !ParseU64(parts[2], mark.generation) || durable_.count(*channel) != 0) {
      return absl::InvalidArgumentError("saved state line " + std::to_string(line_no) +
                                        " is malformed");
    }
    mark.bookmark = std::move(*bookmark);
    durable_[*channel] = std::move(mark);
  }
  last_ = durable_;
  return absl::OkStatus();
}

const WineventMark* BookmarkLedger::Durable(const std::string& channel) const {
  auto it = durable_.find(channel);
  return it == durable_.end() ? nullptr : &it->second;
}

const WineventMark* BookmarkLedger::Last(const std::string& channel) const {
  auto it = last_.find(channel);
  return it == last_.end() ? nullptr : &it->second;
}

uint64_t BookmarkLedger::GenerationOf(const std::string& channel, uint64_t record_id) const {
  const WineventMark* last = Last(channel);
  if (last == nullptr) return 0;
  return record_id > last->record_id ? last->generation : last->generation + 1;
}

void BookmarkLedger::Emitted(const std::string& channel, WineventMark mark) {
  last_[channel] = mark;
  pending_.push_back({emitted_++, channel, std::move(mark)});
}

void BookmarkLedger::PositionLost(const std::string& channel) {
  WineventMark lost;  // no record, no bookmark
  const WineventMark* last = Last(channel);
  lost.generation = last == nullptr ? 0 : last->generation + 1;
  last_[channel] = std::move(lost);
}

std::string BookmarkLedger::DurableState(uint64_t count) {
  while (!pending_.empty() && pending_.front().seq < count) {
    durable_[pending_.front().channel] = std::move(pending_.front().mark);
    pending_.pop_front();
  }
  std::string state(kStateHeader);
  state += '\n';
  for (const auto& [channel, mark] : durable_) {
    AppendEscaped(channel, state);
    state += '\t' + std::to_string(mark.record_id) + '\t' + std::to_string(mark.generation) + '\t';
    AppendEscaped(mark.bookmark, state);
    state += '\n';
  }
  return state;
}

}  // namespace tripline::agent
