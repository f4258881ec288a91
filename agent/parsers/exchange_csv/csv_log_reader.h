#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/parsers/csv/csv_splitter.h"

namespace tripline::agent {

// What every Exchange CSV log shares: a UTF-8 BOM on the first line, CRLF endings, a block of
// `#Software:`, `#Version:`, `#Log-type:`, `#Date:` and `#Fields:` directives (repeated mid-file
// when the service restarts), then comma-separated records. The `#Fields:` directive replaces the
// header wherever it appears; parsers may also set a header from a plain header line.
//
// Lifecycle: a member of one parser, lives as long as it. Thread: the owning parser's thread.
// Ownership: fields() and the `data` views returned by Classify() point into the reader or the
// caller's line and are valid until the next call.
class CsvLogReader {
 public:
  enum class LineType {
    kBlank,      // empty after removing CR and BOM
    kDirective,  // `#...` other than #Fields (and #TYPE lines of PowerShell exports)
    kFields,     // a `#Fields:` directive: header() changed
    kData,       // anything else; `data` is the cleaned line
  };

  // Removes a trailing CR and a leading BOM, then classifies. A `#Fields:` directive without
  // names is an error.
  [[nodiscard]] absl::StatusOr<LineType> Classify(std::string_view line, std::string_view& data);

  // Splits a data line into fields(); with max_fields > 0 the last field is the rest of the line.
  [[nodiscard]] absl::Status Split(std::string_view data, size_t max_fields = 0) {
    return splitter_.SplitAtMost(data, max_fields);
  }
  std::span<const std::string> fields() const { return splitter_.fields(); }
  bool field_quoted(size_t i) const { return splitter_.quoted(i); }

  // An error naming both counts when fields() does not match the header.
  [[nodiscard]] absl::Status CheckFieldCount() const;

  // Makes the current fields() the header (a header line that is not a #Fields directive).
  void TakeFieldsAsHeader();
  const std::vector<std::string>& header() const { return header_; }
  bool has_header() const { return !header_.empty(); }
  // Whether the header came from a `#Fields:` directive (as opposed to a header line).
  bool fields_directive_seen() const { return fields_directive_seen_; }
  // The `#Log-type:` value, e.g. "HttpProxy Logs", "ECP Server Log".
  const std::string& log_type() const { return log_type_; }

  void Reset();

 private:
  absl::Status SetFieldsDirective(std::string_view value);

  CsvSplitter splitter_;
  std::vector<std::string> header_;
  std::string log_type_;
  bool fields_directive_seen_ = false;
};

}  // namespace tripline::agent
