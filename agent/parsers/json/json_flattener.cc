#include "agent/parsers/json/json_flattener.h"

namespace tripline::agent {

bool JsonFlattener::NextKey(std::string& key) {
  if (stack_.empty()) {
    error_ = "expected a JSON object at the top level";
    return false;
  }
  Frame& top = stack_.back();
  std::string_view leaf = key_;
  std::string index;
  if (top.array) {
    index = std::to_string(top.next_index++);
    leaf = index;
  }
  key = top.prefix.empty() ? std::string(leaf) : top.prefix + "." + std::string(leaf);
  return true;
}

bool JsonFlattener::Emit(std::string value) {
  std::string key;
  if (!NextKey(key)) return false;
  fields_[key] = std::move(value);
  return true;
}

bool JsonFlattener::Open(bool array) {
  if (stack_.size() == max_depth_) {
    error_ = "JSON nested deeper than " + std::to_string(max_depth_) + " levels";
    return false;
  }
  Frame frame;
  frame.array = array;
  if (stack_.empty()) {
    if (array) {
      error_ = "expected a JSON object at the top level, got an array";
      return false;
    }
  } else if (!NextKey(frame.prefix)) {
    return false;
  }
  stack_.push_back(std::move(frame));
  return true;
}

bool JsonFlattener::null() {
  std::string key;
  return NextKey(key);  // no field, but the array index advances
}

bool JsonFlattener::boolean(bool value) { return Emit(value ? "true" : "false"); }
bool JsonFlattener::number_integer(number_integer_t value) { return Emit(std::to_string(value)); }
bool JsonFlattener::number_unsigned(number_unsigned_t value) {
  return Emit(std::to_string(value));
}
bool JsonFlattener::number_float(number_float_t, const string_t& text) { return Emit(text); }
bool JsonFlattener::string(string_t& value) { return Emit(std::move(value)); }
bool JsonFlattener::binary(binary_t&) { return Emit(""); }  // not produced by JSON text

bool JsonFlattener::start_object(std::size_t) { return Open(false); }
bool JsonFlattener::start_array(std::size_t) { return Open(true); }

bool JsonFlattener::key(string_t& value) {
  key_ = std::move(value);
  return true;
}

bool JsonFlattener::end_object() {
  stack_.pop_back();
  return true;
}

bool JsonFlattener::end_array() {
  stack_.pop_back();
  return true;
}

bool JsonFlattener::parse_error(std::size_t position, const std::string&,
                                const nlohmann::detail::exception& ex) {
  // ex.what(): "[json.exception.parse_error.101] parse error at line 1, column 9: <reason>".
  std::string_view what = ex.what();
  size_t colon = what.find(": ");
  std::string_view reason = colon == std::string_view::npos ? what : what.substr(colon + 2);
  error_ = "invalid JSON at byte " + std::to_string(position) + ": " + std::string(reason);
  return false;
}

}  // namespace tripline::agent
