#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/logsource.h"

namespace YAML {
class Node;
}

namespace tripline::correlator::engine {

class ErrorList;

// Binds Sigma taxonomy field names (Image, cs-uri-stem, TargetFilename, ...) to Event fields per
// logsource, from config/field_map.yaml. Loaded once, then immutable: Resolve() is called while
// rules compile (never per event) and is safe from any thread.
//
// File format:
//   sections:
//     - name: webserver               # for messages
//       categories: [webserver]       # rule logsource.category values this section serves
//       services: []                  # rule logsource.service values this section serves
//       products: []                  # optional: only rules of these products; a section that
//                                     # lists only products serves the rules that name a product
//                                     # and neither a category nor a service
//       fields: {cs-method: http.request.method, ...}
//       unmapped: http.extra.         # optional: other names without a dot become <prefix><name>
//       generic: fields.              # optional: every other name, dotted or not, becomes
//                                     # <prefix><name> (structured logs: CloudTrail, Okta, ...)
//       missing: {ParentImage: why}   # names these events never carry: a rule naming one is
//                                     # rejected with `why`, instead of matching nothing
// `unmapped` and `generic` are exclusive in one section.
class FieldMap {
 public:
  // Loads strictly: unknown keys, bad shapes and targets the registry does not know are each
  // reported as "file:line: message" in `errors`; the valid parts are still loaded.
  static FieldMap LoadFile(const std::string& path, std::vector<std::string>* errors);
  static FieldMap LoadString(std::string_view yaml, const std::string& file_name,
                             std::vector<std::string>* errors);

  // Resolution order, over the sections serving the logsource in file order: the first that maps
  // `name` in `fields` or lists it in `missing` (an error giving the reason); then `name` as an
  // Event field (`url.path`, `host.name`); then the first serving section's `generic` prefix
  // (any name) or `unmapped` prefix (names without a dot, so that a typo in an Event field name
  // is an error, not an empty lookup). Otherwise an error that says whether the logsource has no
  // section at all or the field is unknown to it.
  absl::StatusOr<FieldAccessor> Resolve(const Logsource& logsource, std::string_view name) const;

  // True when some section serves the logsource (its category or service, within the section's
  // products if it lists any; or, for a rule that names only a product, that product).
  bool Serves(const Logsource& logsource) const;

  size_t section_count() const { return sections_.size(); }

 private:
  struct Section {
    std::string name;
    std::vector<std::string> categories;
    std::vector<std::string> services;
    std::vector<std::string> products;
    std::map<std::string, FieldAccessor, std::less<>> fields;
    std::map<std::string, std::string, std::less<>> missing;  // name -> why the events lack it
    std::string unmapped_prefix;
    std::string generic_prefix;

    bool Serves(const Logsource& logsource) const;
  };

  static Section ReadSection(const YAML::Node& node, ErrorList* sink);

  std::vector<Section> sections_;
};

}  // namespace tripline::correlator::engine
