#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "correlator/engine/error_list.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/logsource.h"
#include "correlator/engine/matcher.h"
#include "correlator/engine/prefilter.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// One `field|modifiers: values` entry of a selection, with its field resolved.
struct FieldMatch {
  FieldAccessor field;
  ValueMatcher matcher;

  Requirement Required() const;

  bool Matches(const v1::Event& event, MatchScratch* scratch) const {
    return matcher.Matches(event, field.Get(event, &scratch->value), scratch);
  }
};

// One Sigma search identifier (`selection_img: ...`): a map is an AND of field matches, a list
// of maps is an OR of such ANDs, and a list of plain values is a keyword search (`contains` on
// event.original). Compiled once with its rule; immutable and shareable between threads.
class SearchIdentifier {
 public:
  // Compiles the YAML value of the identifier. Every problem goes to `errors` with its line;
  // std::nullopt when there was any.
  static std::optional<SearchIdentifier> Compile(const YAML::Node& node, const Logsource& logsource,
                                                 const FieldMap& field_map, ErrorList* errors);

  // The literals one of which occurs in every event this identifier matches (prefilter.h).
  Requirement Required() const;

  bool Matches(const v1::Event& event, MatchScratch* scratch) const {
    for (const std::vector<FieldMatch>& all : alternatives_) {
      bool ok = true;
      for (const FieldMatch& m : all) {
        if (!m.Matches(event, scratch)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }

 private:
  std::vector<std::vector<FieldMatch>> alternatives_;  // OR of ANDs
};

}  // namespace tripline::correlator::engine
