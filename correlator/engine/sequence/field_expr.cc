#include "correlator/engine/sequence/field_expr.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

struct TransformName {
  std::string_view name;
  ValueTransform transform;
};
constexpr TransformName kTransforms[] = {{"basename", ValueTransform::kBasename},
                                         {"iis_url_path", ValueTransform::kIisUrlPath}};

// Folders IIS serves as "/" (lower case, slashes already normalized).
constexpr std::string_view kWebRoots[] = {"/inetpub/wwwroot/", "/frontend/httpproxy/"};

bool IisUrlPath(std::string* value) {
  std::replace(value->begin(), value->end(), '\\', '/');
  for (std::string_view root : kWebRoots) {
    const size_t at = value->find(root);
    if (at == std::string::npos) continue;
    value->erase(0, at + root.size() - 1);  // keep the root's trailing '/'
    return value->size() > 1;
  }
  return false;
}

}  // namespace

bool ApplyTransform(ValueTransform transform, std::string* value) {
  switch (transform) {
    case ValueTransform::kBasename: {
      const size_t slash = value->find_last_of("/\\");
      if (slash != std::string::npos) value->erase(0, slash + 1);
      return !value->empty();
    }
    case ValueTransform::kIisUrlPath: return IisUrlPath(value);
  }
  return false;
}

std::optional<std::string> FieldExpr::Read(const v1::Event& event, std::string* scratch) const {
  FieldValue v = field.Get(event, scratch);
  if (!v || v->empty()) return std::nullopt;
  std::string out(*v);
  absl::AsciiStrToLower(&out);
  for (ValueTransform t : transforms) {
    if (!ApplyTransform(t, &out)) return std::nullopt;
  }
  return out;
}

absl::StatusOr<FieldExpr> ParseFieldExpr(std::string_view text, const FieldMap& field_map,
                                         const Logsource& logsource) {
  std::vector<std::string_view> parts;  // field, then transforms
  for (size_t start = 0;;) {
    const size_t bar = text.find('|', start);
    parts.push_back(text.substr(start, bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  FieldExpr expr;
  expr.text = std::string(text);
  auto field = field_map.Resolve(logsource, parts[0]);
  if (!field.ok()) return field.status();
  expr.field = *std::move(field);
  for (size_t i = 1; i < parts.size(); ++i) {
    const auto* known = std::find_if(std::begin(kTransforms), std::end(kTransforms),
                                     [&](const TransformName& t) { return t.name == parts[i]; });
    if (known == std::end(kTransforms)) {
      return absl::InvalidArgumentError(
          Cat("unknown transform '", parts[i], "' (basename, iis_url_path)"));
    }
    expr.transforms.push_back(known->transform);
  }
  return expr;
}

}  // namespace tripline::correlator::engine
