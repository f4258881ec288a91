#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/error_list.h"
#include "correlator/engine/sigma_rule.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator::engine {

// Sigma v2.1 correlation types this engine evaluates. The metric types (value_sum, value_avg,
// value_percentile) are rejected at load with a reason.
enum class CorrelationType { kEventCount, kValueCount, kTemporal, kTemporalOrdered };

std::string_view CorrelationTypeName(CorrelationType type);

// `correlation.condition`: one comparison, or a range of one lower (gt/gte) and one upper
// (lt/lte) bound, AND-ed. Only conditions that can become true as events arrive are accepted
// (a lower bound or eq); an upper bound alone (lt: 5) would need evaluation when the window
// closes and is rejected at load.
struct CountCondition {
  std::optional<int64_t> gt, gte, lt, lte, eq, neq;

  bool Matches(int64_t n) const {
    return (!gt || n > *gt) && (!gte || n >= *gte) && (!lt || n < *lt) && (!lte || n <= *lte) &&
           (!eq || n == *eq) && (!neq || n != *neq);
  }
  bool empty() const { return !gt && !gte && !lt && !lte && !eq && !neq; }
};

// One Sigma correlation rule document, validated. Built once by ParseCorrelation() off the
// worker threads, then immutable and shared (std::shared_ptr<const CorrelationRule>) by every
// CorrelationState that evaluates it.
struct CorrelationRule {
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rules;     // base rule names or ids, in the order given
  std::vector<std::string> group_by;  // empty: one group for everything
  int64_t timespan_us = 0;
  // For temporal types without a condition: all rules must match (gte: rules.size()).
  CountCondition condition;
  std::string value_field;  // value_count: the field whose distinct values are counted
  bool generate = false;    // also emit the base rules' own alerts
  // alias -> (base rule name -> field), usable in group_by.
  std::map<std::string, std::map<std::string, std::string>> aliases;

  // Title, id, level, tags, ATT&CK ids, file and line, read as for every rule kind (the
  // logsource stays empty: a correlation has its base rules' logsources).
  RuleMetadata metadata;
  // A hash of the document as written: saved state is restored only into the same rule.
  std::string fingerprint;

  // Index of `base_rule` (a name or id as listed in `rules`), or -1.
  int RuleIndex(std::string_view base_rule) const;
};

// Parses one YAML document that has a `correlation:` key. Every problem is added to `errors` as
// "file:line: message" (unknown keys, bad type, bad timespan such as "10x", bad condition, ...);
// on any problem the result is an InvalidArgument status and nothing is loaded. Keeps no state;
// callable from any thread.
[[nodiscard]] absl::StatusOr<CorrelationRule> ParseCorrelation(const YAML::Node& doc,
                                                               const std::string& file,
                                                               ErrorList* errors);

// "10s", "5m", "1h", "2d" -> microseconds; nullopt when not an integer plus one of s, m, h, d.
std::optional<int64_t> ParseTimespan(std::string_view text);

}  // namespace tripline::correlator::engine
