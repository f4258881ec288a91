#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tripline::agent {

// Splits one line of RFC 4180 CSV into fields: a field may be wrapped in double quotes, inside
// which a doubled quote `""` stands for one quote and the delimiter has no meaning; fields may be
// empty. Two tolerances for what Exchange and hand-made exports write: a quote in the middle of an
// unquoted field is kept literally, and text between a closing quote and the next delimiter is
// appended to the field.
//
// Lifecycle: one instance per parser, reused for every line; the field strings keep their
// capacity between lines, so steady-state splitting does not allocate. Thread: not thread-safe,
// used from the owning parser's thread only. Ownership: fields() belong to the splitter and stay
// valid until the next Split call. Memory is bounded by the line length and kMaxFields.
class CsvSplitter {
 public:
  static constexpr size_t kMaxFields = 4096;

  explicit CsvSplitter(char delimiter = ',') : delimiter_(delimiter) {}

  // Splits the whole line. An unbalanced quote is an error ("unterminated quoted field starting at
  // column N", N the 1-based byte column of the opening quote), as is a line of more than
  // kMaxFields fields. On error fields() is unspecified.
  [[nodiscard]] absl::Status Split(std::string_view line) { return SplitAtMost(line, 0); }

  // As Split, but stops after `max_fields` - 1 fields: the last field is the rest of the line,
  // taken raw unless it is exactly one quoted field. For logs whose last column is free text that
  // is not reliably quoted (the ECP EventData column). max_fields == 0 means no limit.
  [[nodiscard]] absl::Status SplitAtMost(std::string_view line, size_t max_fields);

  std::span<const std::string> fields() const { return {fields_.data(), count_}; }
  size_t size() const { return count_; }
  // Whether field i was wrapped in double quotes.
  bool quoted(size_t i) const { return quoted_[i] != 0; }

 private:
  std::string& NextField(bool quoted);
  // Reads a quoted field whose opening quote is at line[pos]; returns the position after it.
  // `closed_at` receives the position just after the closing quote.
  absl::StatusOr<size_t> ReadQuoted(std::string_view line, size_t pos, std::string& out,
                                    size_t& closed_at) const;

  char delimiter_;
  std::vector<std::string> fields_;  // scratch: only the first count_ are meaningful
  std::vector<char> quoted_;
  size_t count_ = 0;
};

}  // namespace tripline::agent
