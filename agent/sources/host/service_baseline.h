#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/sources/host/unit_scanner.h"
#include "common/status.h"

namespace tripline::agent {

// What the service source remembers of one service between scans and across restarts.
struct ServiceBaselineEntry {
  std::string type;
  std::string name;
  std::string path;
  std::string sha256;
  std::string start_type;
  std::string user;
  std::string executable;

  static ServiceBaselineEntry Of(const ServiceUnit& unit);
  // A change worth reporting: the definition or the enablement differs.
  bool SameAs(const ServiceBaselineEntry& other) const {
    return sha256 == other.sha256 && start_type == other.start_type;
  }
};

// The services known, by ServiceUnit::key(), and their text form inside the service source's
// state: one line per service, `key \t sha256 \t start_type \t user \t executable \t path`, with
// backslash, tab and newline escaped as \\ \t \n. Value type; any thread.
class ServiceBaseline {
 public:
  std::map<std::string, ServiceBaselineEntry>& entries() { return entries_; }
  const std::map<std::string, ServiceBaselineEntry>& entries() const { return entries_; }

  std::string Serialize() const;
  // Parses the lines Serialize() wrote (after the state's first line).
  [[nodiscard]] static absl::StatusOr<ServiceBaseline> Parse(std::string_view text);

 private:
  std::map<std::string, ServiceBaselineEntry> entries_;
};

}  // namespace tripline::agent
