#pragma once

#include "common/strings.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/normalize/windows/windows_event_record.h"

namespace tripline::agent {

// Reads the data values of one WindowsEventRecord for the mappings: missing names read as empty,
// the "-" placeholder Windows writes for "no value" reads as empty, and every value copied into an
// Event is cut at kMaxValueBytes (on a UTF-8 boundary) with the cut counted.
//
// Lifecycle: built per record on the stack by WindowsEventNormalizer; borrows the record and the
// counter, which must outlive it. Not thread-safe (nothing in the normalizer is shared).
class FieldReader {
 public:
  static constexpr size_t kMaxValueBytes = 32 * 1024;

  FieldReader(const WindowsEventRecord& record, uint64_t* truncated)
      : record_(record), truncated_(truncated) {}

  const WindowsEventRecord& record() const { return record_; }

  // The raw value ("" when absent or "-").
  std::string_view Get(std::string_view name) const;
  // The value, bounded for storing in an Event.
  std::string Take(std::string_view name) const { return Bounded(Get(name)); }
  std::string Bounded(std::string_view value) const;
  // Decimal or 0x-hex number ("0x1a2b" -> 6699); 0 when absent or malformed.
  uint64_t Number(std::string_view name) const;

 private:
  const WindowsEventRecord& record_;
  uint64_t* truncated_;
};

// "IEWIN7\IEUser" -> {"IEWIN7", "IEUser"}; a name without a backslash has no domain.
std::pair<std::string_view, std::string_view> SplitUser(std::string_view user);
// Decimal or 0x-prefixed hex; nullopt-like false on anything else.
bool ParseNumber(std::string_view text, uint64_t& out);

}  // namespace tripline::agent
