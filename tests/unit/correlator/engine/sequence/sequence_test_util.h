#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "correlator/engine/engine.h"
#include "correlator/engine/rule_loader.h"
#include "tripline/v1/alert.pb.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine::testing {

// Event times are seconds after kT0 (2021-03-05T03:06:27Z, the week of the Hafnium attacks).
constexpr int64_t kT0 = 1614913587;
constexpr int64_t kMinute = 60;

// Events as the agent's parsers produce them, on Windows host `host`. `id` is the event id.
v1::Event FileEvent(const std::string& host, const std::string& path, int64_t seconds,
                    const std::string& id,
                    v1::FileChange::Action action = v1::FileChange::ACTION_CREATED);
v1::Event Request(const std::string& host, const std::string& path, int64_t seconds,
                  const std::string& id);
v1::Event Spawn(const std::string& host, const std::string& parent, const std::string& image,
                int64_t seconds, const std::string& id);
v1::Event ServiceInstalled(const std::string& host, const std::string& name, int64_t seconds,
                           const std::string& id);

google::protobuf::Timestamp FixedNow();

// The rules of `yaml` (must load without errors) run by one Engine with `lateness` seconds of
// allowed lateness; Feed() returns the alerts one event raised.
class EngineHarness {
 public:
  explicit EngineHarness(const std::string& yaml, int64_t lateness_seconds = 0);
  explicit EngineHarness(std::shared_ptr<const RuleSet> rules, int64_t lateness_seconds = 0);

  std::vector<v1::Alert> Feed(const v1::Event& event);
  Engine& engine() { return engine_; }
  std::shared_ptr<const RuleSet> rules() const { return rules_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  Engine engine_;
};

std::shared_ptr<const RuleSet> LoadOrDie(const std::string& yaml);
// The web-shell sequence and the new-service first-seen rule of config/rules/hafnium, loaded with
// the shipped field map (must load without errors). The whole pack: tests/unit/correlator/hafnium.
std::shared_ptr<const RuleSet> ShippedHafniumRules();

}  // namespace tripline::correlator::engine::testing
