#pragma once

#include <string>
#include <vector>

#include "agent/parsers/parser.h"

namespace tripline::agent {

// IIS W3C extended log lines (u_ex*.log). The `#Fields:` directive decides the columns wherever it
// appears (IIS writes a new header block after every restart, mid-file). Before the first
// `#Fields:` the IIS default layout applies, so excerpts without a header still parse.
// Values: '-' means empty; in cs(User-Agent), cs(Referer) and cs(Cookie) '+' stands for a space.
// Columns Tripline has no typed field for go to HttpRequest.extra under their W3C name.
class W3cParser final : public Parser {
 public:
  W3cParser();

  absl::StatusOr<LineKind> Parse(std::string_view line, v1::Event& event) override;
  v1::Event::BodyCase body() const override { return v1::Event::kHttp; }
  void Reset() override;

  // The layout in force (column names in order).
  const std::vector<std::string>& fields() const { return names_; }

  // The IIS default `#Fields:` layout (15 columns).
  static const std::vector<std::string>& DefaultFields();

 // What a column means to the parser, decided once per layout.
  enum class Column : uint8_t;

 private:

  absl::Status SetLayout(std::string_view directive_value);
  absl::Status Assign(Column column, size_t index, std::string_view value, v1::Event& event,
                      std::string_view& date, std::string_view& time);

  std::vector<std::string> names_;
  std::vector<Column> columns_;
  std::vector<std::string_view> values_;  // scratch, reused for every line
};

}  // namespace tripline::agent
