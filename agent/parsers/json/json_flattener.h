#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tripline/v1/event.pb.h"

namespace tripline::agent {

// SAX handler that flattens one JSON value into dotted keys of an AppLog.fields map while it is
// parsed. Used by JsonParser only. Lifecycle: one per line. Thread: the caller's. Ownership: it
// writes into the map it is given, which must outlive it. Stops (returns false) on the first
// problem and keeps its message in error().
class JsonFlattener final : public nlohmann::json_sax<nlohmann::json> {
 public:
  JsonFlattener(google::protobuf::Map<std::string, std::string>& fields, size_t max_depth)
      : fields_(fields), max_depth_(max_depth) {}

  const std::string& error() const { return error_; }

  bool null() override;
  bool boolean(bool value) override;
  bool number_integer(number_integer_t value) override;
  bool number_unsigned(number_unsigned_t value) override;
  bool number_float(number_float_t value, const string_t& text) override;
  bool string(string_t& value) override;
  bool binary(binary_t& value) override;
  bool start_object(std::size_t elements) override;
  bool key(string_t& value) override;
  bool end_object() override;
  bool start_array(std::size_t elements) override;
  bool end_array() override;
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override;

 private:
  struct Frame {
    std::string prefix;  // dotted key of this object/array ("" for the top level)
    bool array = false;
    size_t next_index = 0;
  };

  // The key of the next value in the current container, or false at the top level.
  bool NextKey(std::string& key);
  bool Emit(std::string value);
  bool Open(bool array);

  google::protobuf::Map<std::string, std::string>& fields_;
  size_t max_depth_;
  std::vector<Frame> stack_;
  std::string key_;  // the last key seen in the current object
  std::string error_;
};

}  // namespace tripline::agent
