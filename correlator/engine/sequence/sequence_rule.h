#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "correlator/engine/error_list.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/sequence/field_expr.h"
#include "correlator/engine/sigma_rule.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// A join of a step: the step's own value `mine` must equal what an earlier step captured.
struct SequenceJoin {
  FieldExpr mine;
  int step = 0;     // the earlier step
  int capture = 0;  // index into that step's `captures`
};

// One step of a sequence, or one `until` entry (then `within` and `absent` are unused).
struct SequenceStep {
  std::string name;
  std::unique_ptr<SigmaRule> detection;  // the step's logsource and Sigma detection
  std::vector<FieldAccessor> key;        // the rule's key fields, resolved on this logsource
  std::vector<SequenceJoin> joins;
  std::vector<FieldExpr> captures;  // values of this step's event that later joins compare
  int64_t within_us = 0;            // at most this long after the previous step; 0: no limit
  bool absent = false;              // the step is that no such event happens within `within`
  // `first_seen: <rule name or id>`: the event must also be one that first-seen rule reports as
  // new (a value never seen for its key), as the engine tells through MatchScratch.
  std::string first_seen;
  std::string first_seen_where;  // file:line of the key, for the loader's check of the name
};

// What one event is for one step (or until entry): its join values and captures, read once when
// the event arrives so that replaying it (out-of-order input) needs no field access.
struct StepHit {
  int step = 0;        // index in `steps`, or in `until` when `until`
  bool until = false;
  std::vector<std::optional<std::string>> joins;     // SequenceStep::joins[i].mine
  std::vector<std::optional<std::string>> captures;  // SequenceStep::captures[i]
};

// One Tripline sequence rule (`tripline: sequence`), compiled: ordered steps, each a Sigma
// detection with its own logsource, join fields and time bound; `until` entries that cancel the
// key's pending sequences. Built once by ParseSequence() off the worker threads, then immutable
// and shared (std::shared_ptr<const SequenceRule>) by every SequenceState that evaluates it.
struct SequenceRule {
  RuleMetadata metadata;  // logsource unused: each step has its own
  std::vector<std::string> key_names;
  int64_t maxspan_us = 0;  // first to last step
  std::vector<SequenceStep> steps;
  std::vector<SequenceStep> until;
  std::string fingerprint;  // RuleFingerprint of the document

  // Appends (key, hit) for every step and until entry that `event` matches; the key is the
  // event's values of `key_names` joined by kKeySeparator. `logsource` is the event's; `scratch`
  // belongs to the calling engine thread.
  void Match(const v1::Event& event, const EventLogsource& logsource, MatchScratch* scratch,
             std::vector<std::pair<std::string, StepHit>>* hits) const;
};

// Parses and compiles one `tripline: sequence` document (format: sequence/README.md). Every
// problem is added to `errors` as "file:line: message"; nullptr when there was any. Keeps no
// state; callable from any thread.
std::shared_ptr<const SequenceRule> ParseSequence(const YAML::Node& doc, const FieldMap& field_map,
                                                  ErrorList* errors);

}  // namespace tripline::correlator::engine
