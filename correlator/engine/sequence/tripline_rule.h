#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "correlator/engine/error_list.h"
#include "correlator/engine/sigma_rule.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator::engine {

// Pieces shared by the two Tripline rule kinds (sequence and first_seen): the `tripline:` kind,
// strict key checks, metadata as Sigma writes it, durations, and the alert's rule part. Plain
// functions without state; callable from any thread.

enum class TriplineKind { kSequence, kFirstSeen };

// `tripline: sequence | first_seen`; nullopt after adding an error.
std::optional<TriplineKind> ParseTriplineKind(const YAML::Node& doc, ErrorList* errors);

// Every key of `map` outside `allowed` is an error naming `where` (unknown keys are never ignored:
// a typo such as `whithin` would silently widen a rule).
void CheckAllowedKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                      std::string_view where, ErrorList* errors);

// title (required), id, name, status, description, author, references, tags, falsepositives and
// level, read like a Sigma rule's; id defaults to `name`, else a stable hash of file and title.
void ReadTriplineMetadata(const YAML::Node& doc, ErrorList* errors, RuleMetadata* metadata);

// `map[key]` as a duration ("90s", "10m", "2h", "7d") in microseconds. 0 when absent (an error
// when `required`) or bad (always an error).
int64_t ReadDuration(const YAML::Node& map, const char* key, bool required, ErrorList* errors);

// A field name or a list of them; an error when absent or empty.
std::vector<std::string> ReadFieldNames(const YAML::Node& map, const char* key, ErrorList* errors);

// A hash of the rule document as written: state saved for a rule is restored only into a rule
// with the same id and the same fingerprint.
std::string RuleFingerprint(const YAML::Node& doc);

// Group values are joined by kKeySeparator inside state maps and by '|' in alerts.
constexpr char kKeySeparator = '\x1f';
std::string DisplayKey(std::string_view key);

// Fills the rule reference, severity and ATT&CK ids of `alert` from `metadata`; `kind` is
// RuleRef.kind (sequence, first_seen).
void FillRuleRef(const RuleMetadata& metadata, std::string_view kind, v1::Alert* alert);

}  // namespace tripline::correlator::engine
