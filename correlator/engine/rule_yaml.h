#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "correlator/engine/error_list.h"
#include "tripline/v1/alert.pb.h"

namespace tripline::correlator::engine {

// Small readers shared by the Sigma detection and correlation rule loaders. Each reports a
// problem with the node's line into `errors` and returns an empty value; none throws.

// A scalar value of `map[key]`; "" when absent or null.
std::string ReadYamlString(const YAML::Node& map, const char* key, ErrorList* errors);
// A list of strings; a single scalar is accepted as a list of one.
std::vector<std::string> ReadYamlList(const YAML::Node& map, const char* key, ErrorList* errors);
// `level:` (lower-cased into `level`) and its severity; an unknown level is an error.
void ReadLevel(const YAML::Node& doc, ErrorList* errors, std::string* level,
               v1::Severity* severity);

}  // namespace tripline::correlator::engine
