#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "correlator/engine/field_map.h"
#include "correlator/engine/field_registry.h"
#include "correlator/engine/logsource.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// Normalizations that let two different fields name the same thing. Each either rewrites the
// value or says it has none (then nothing joins on it).
enum class ValueTransform {
  // The last path component: "c:\inetpub\wwwroot\a\shell.aspx" and "/a/shell.aspx" -> "shell.aspx".
  kBasename,
  // A Windows file path under a web root -> the URL path IIS serves it at. Roots (any drive,
  // any install folder): `\inetpub\wwwroot\` -> `/` (Default Web Site, aspnet_client) and
  // Exchange's `\FrontEnd\HttpProxy\` -> `/` (owa/auth, ecp/auth). Backslashes become slashes:
  // "C:\inetpub\wwwroot\aspnet_client\shell.aspx" -> "/aspnet_client/shell.aspx". A path under
  // no known root has no value.
  kIisUrlPath,
};

// One side of a join: a field of an event, ASCII lower-cased (Windows paths, URL paths on IIS,
// host names and service names compare case-insensitively), then transformed. Written
// `field|transform|...`. A plain value, immutable after ParseFieldExpr(); safe to share.
struct FieldExpr {
  FieldAccessor field;
  std::vector<ValueTransform> transforms;
  std::string text;  // as written, for messages and for recognizing the same capture twice

  // The normalized value; nullopt when the field is absent or empty, or a transform has no value
  // for it (an empty value never joins: two events without a path are not "the same file").
  std::optional<std::string> Read(const v1::Event& event, std::string* scratch) const;
};

// Parses `field|transform|...`, the field resolved through `field_map` for `logsource` (Sigma
// names such as TargetFilename or Event names such as file.path). The error names the unknown
// field or transform.
absl::StatusOr<FieldExpr> ParseFieldExpr(std::string_view text, const FieldMap& field_map,
                                         const Logsource& logsource);

// Applies one transform to an already lower-cased value; false when it has no value.
bool ApplyTransform(ValueTransform transform, std::string* value);

}  // namespace tripline::correlator::engine
