#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/logsource.h"

namespace tripline::correlator::engine {

// Binds Sigma taxonomy field names (Image, cs-uri-stem, TargetFilename, ...) to Event fields per
// logsource, from config/field_map.yaml. Loaded once, then immutable: Resolve() is called while
// rules compile (never per event) and is safe from any thread.
//
// File format:
//   sections:
//     - name: webserver               # for messages
//       categories: [webserver]       # rule logsource.category values this section serves
//       services: []                  # rule logsource.service values this section serves
//       fields: {cs-method: http.request.method, ...}
//       unmapped: http.extra.         # optional: other names become <prefix><name>
class FieldMap {
 public:
  // Loads strictly: unknown keys, bad shapes and targets the registry does not know are each
  // reported as "file:line: message" in `errors`; the valid parts are still loaded.
  static FieldMap LoadFile(const std::string& path, std::vector<std::string>* errors);
  static FieldMap LoadString(std::string_view yaml, const std::string& file_name,
                             std::vector<std::string>* errors);

  // Resolution order: the first section serving the logsource that maps `name`; then `name` as
  // an Event field (`url.path`); then, for names without a dot, the section's `unmapped` prefix
  // (so a typo in an Event field name is an error, not an empty lookup). Otherwise an error that
  // says whether the logsource has no section at all or the field is unknown to it.
  absl::StatusOr<FieldAccessor> Resolve(const Logsource& logsource, std::string_view name) const;

  // True when some section serves the logsource's category or service.
  bool Serves(const Logsource& logsource) const;

  size_t section_count() const { return sections_.size(); }

 private:
  struct Section {
    std::string name;
    std::vector<std::string> categories;
    std::vector<std::string> services;
    std::map<std::string, FieldAccessor, std::less<>> fields;
    std::string unmapped_prefix;

    bool Serves(const Logsource& logsource) const;
  };

  std::vector<Section> sections_;
};

}  // namespace tripline::correlator::engine
