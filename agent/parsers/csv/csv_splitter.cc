#include "agent/parsers/csv/csv_splitter.h"

namespace tripline::agent {

std::string& CsvSplitter::NextField(bool quoted) {
  if (count_ == fields_.size()) {
    fields_.emplace_back();
    quoted_.push_back(0);
  }
  quoted_[count_] = quoted ? 1 : 0;
  std::string& field = fields_[count_++];
  field.clear();
  return field;
}

absl::StatusOr<size_t> CsvSplitter::ReadQuoted(std::string_view line, size_t pos,
                                               std::string& out, size_t& closed_at) const {
  const size_t open = pos++;
  while (pos < line.size()) {
    size_t quote = line.find('"', pos);
    if (quote == std::string_view::npos) break;
    out.append(line.substr(pos, quote - pos));
    if (quote + 1 < line.size() && line[quote + 1] == '"') {  // "" inside quotes
      out.push_back('"');
      pos = quote + 2;
      continue;
    }
    pos = quote + 1;
    closed_at = pos;
    // Tolerance: text between the closing quote and the delimiter belongs to the field.
    size_t end = line.find(delimiter_, pos);
    if (end == std::string_view::npos) end = line.size();
    out.append(line.substr(pos, end - pos));
    return end;
  }
  return absl::InvalidArgumentError("unterminated quoted field starting at column " +
                                    std::to_string(open + 1));
}

absl::Status CsvSplitter::SplitAtMost(std::string_view line, size_t max_fields) {
  count_ = 0;
  size_t pos = 0;
  while (true) {
    if (count_ == kMaxFields) {
      return absl::InvalidArgumentError("more than " + std::to_string(kMaxFields) +
                                        " fields in one line");
    }
    const bool last = max_fields != 0 && count_ + 1 == max_fields;
    const bool starts_quoted = pos < line.size() && line[pos] == '"';
    if (last) {
      std::string_view rest = line.substr(pos);
      std::string& field = NextField(false);
      std::string unquoted;
      size_t closed_at = 0;
      auto end = starts_quoted ? ReadQuoted(line, pos, unquoted, closed_at)
                               : absl::StatusOr<size_t>(0);
      // A tail that is exactly one quoted field is unquoted; anything else is kept raw.
      if (starts_quoted && end.ok() && closed_at == line.size()) {
        field = std::move(unquoted);
        quoted_[count_ - 1] = 1;
      } else {
        field.assign(rest);
      }
      return absl::OkStatus();
    }
    std::string& field = NextField(starts_quoted);
    size_t end;
    if (starts_quoted) {
      size_t closed_at = 0;
      auto read = ReadQuoted(line, pos, field, closed_at);
      if (!read.ok()) return read.status();
      end = *read;
    } else {
      end = line.find(delimiter_, pos);
      if (end == std::string_view::npos) end = line.size();
      field.assign(line.substr(pos, end - pos));
    }
    if (end >= line.size()) return absl::OkStatus();
    pos = end + 1;  // past the delimiter; a trailing delimiter yields a last empty field
  }
}

}  // namespace tripline::agent
