#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "correlator/engine/error_list.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/sigma_rule.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// One Tripline first-seen rule (`tripline: first_seen`), compiled: the events a Sigma detection
// selects, grouped by `key`, raise an alert the first time a `value` appears for a key once the
// baseline period is over. Built once by ParseFirstSeen() off the worker threads, then immutable
// and shared (std::shared_ptr<const FirstSeenRule>) by every FirstSeenState that evaluates it.
struct FirstSeenRule {
  RuleMetadata metadata;
  std::unique_ptr<SigmaRule> filter;  // logsource and detection: which events count
  std::vector<std::string> key_names;
  std::vector<std::string> value_names;
  std::vector<FieldAccessor> key;    // resolved on the filter's logsource
  std::vector<FieldAccessor> value;  // idem
  int64_t baseline_us = 0;           // learning period, from the first event the rule sees
  std::string fingerprint;           // RuleFingerprint of the document

  // For an event the filter selects: its key and its value (fields joined by kKeySeparator,
  // the value ASCII lower-cased so that "MSExchangeX" and "msexchangex" are one service).
  // False when the filter does not select it or every value field is absent or empty.
  bool Match(const v1::Event& event, const EventLogsource& logsource, MatchScratch* scratch,
             std::string* key, std::string* value) const;
};

// Parses and compiles one `tripline: first_seen` document (format: sequence/README.md). Every
// problem is added to `errors` as "file:line: message"; nullptr when there was any. Keeps no
// state; callable from any thread.
std::shared_ptr<const FirstSeenRule> ParseFirstSeen(const YAML::Node& doc,
                                                    const FieldMap& field_map, ErrorList* errors);

}  // namespace tripline::correlator::engine
