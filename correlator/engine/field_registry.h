#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// The value of one field of one event. std::nullopt means "absent": the event has no body of the
// kind the field belongs to, or the map key is missing. Absent is distinct from "" so that Sigma
// `null` and `exists` can be told apart from an empty string.
using FieldValue = std::optional<std::string_view>;

// How to read one field from a v1::Event, resolved once when a rule compiles (never per event).
// A plain value: copyable, immutable after construction, safe to share between threads.
// The returned view points into the event or into `scratch` (numbers, composed values); it is
// valid until the event is destroyed or `scratch` is reused.
struct FieldAccessor {
  using Fn = FieldValue (*)(const v1::Event& event, const std::string& key, std::string* scratch);

  Fn fn = nullptr;
  std::string key;   // map key for prefix fields (winlog.event_data.<key>), else empty
  std::string name;  // the full registry name, for messages

  FieldValue Get(const v1::Event& event, std::string* scratch) const {
    return fn(event, key, scratch);
  }
};

// The ECS-style names of v1::Event fields (url.path, process.parent.executable, ...), each bound to
// an extraction function. A static, constant table: no state, callable from any thread.
class FieldRegistry {
 public:
  // `name` is an exact field name (`url.path`) or a prefix field with its key
  // (`winlog.event_data.TargetUserName`, `http.extra.cs-version`, `labels.env`).
  // An unknown name is an InvalidArgument error naming the field.
  static absl::StatusOr<FieldAccessor> Resolve(std::string_view name);

  // True when `prefix` (with its trailing dot) is a map prefix such as `winlog.event_data.`.
  static bool IsMapPrefix(std::string_view prefix);

  // Every exact name and every prefix (ending in '.'), sorted; for documentation and tests.
  static std::vector<std::string> Names();
};

}  // namespace tripline::correlator::engine
