#pragma once

#include <string>
#include <vector>

#include "correlator/engine/field_map.h"
#include "correlator/engine/rule_loader.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine::testing {

// The shipped config/field_map.yaml, loaded once (fails the test if it has errors).
const FieldMap& ShippedFieldMap();

// Loads `yaml` as if it were the file `file_name`.
LoadResult LoadRules(const std::string& yaml, const std::string& file_name = "rule.yml");

// A complete rule for `logsource_yaml` (indented two spaces) whose detection is
// `detection_yaml` (indented two spaces).
std::string MakeRule(const std::string& logsource_yaml, const std::string& detection_yaml,
                     const std::string& id = "11111111-2222-3333-4444-555555555555");

// Runs every rule of `yaml` over `event`; the rules must load without errors.
std::vector<v1::Alert> Run(const std::string& yaml, const v1::Event& event);

// Events as the agent's parsers produce them.
v1::Event HttpEvent(const std::string& method, const std::string& path,
                    const std::string& query = "");
v1::Event ProcessEvent(const std::string& image, const std::string& command_line,
                       const std::string& parent_image = "C:\\Windows\\explorer.exe");

// Web-shell probing: a Sigma correlation over requests for .aspx pages under /owa/auth/, three
// from one client within a minute.
inline constexpr const char* kOwaProbingRules = R"(title: OWA auth aspx request
name: owa_auth_aspx
id: 11111111-0000-0000-0000-000000000001
logsource: {category: webserver, product: windows}
detection:
  sel:
    cs-uri-stem|startswith: /owa/auth/
    cs-uri-stem|endswith: .aspx
  condition: sel
level: low
---
title: Web shell probing from one client
id: 11111111-0000-0000-0000-000000000002
correlation:
  type: event_count
  rules: [owa_auth_aspx]
  group-by: [c-ip]
  timespan: 1m
  condition: {gte: 3}
level: high
tags: [attack.t1505.003]
)";

constexpr char kProcessLogsource[] = "  category: process_creation\n  product: windows\n";
constexpr char kWebLogsource[] = "  category: webserver\n";

}  // namespace tripline::correlator::engine::testing
