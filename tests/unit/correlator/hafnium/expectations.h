#pragma once

// The positive expectations of the pack, in one place so that rule_pack_test can check that every
// rule of the pack fires in at least one of them (a rule without a positive test is not done).

#include <ostream>
#include <string>
#include <vector>

#include "hafnium_pack.h"

namespace tripline::correlator::hafnium_test {

// One run of a fresh engine over some inputs, and exactly which rules fire how often.
struct Case {
  std::string name;
  std::vector<std::string> inputs;  // sample paths or fixture names, read together
  Fired expected;
};

// GoogleTest prints a failing parameter by its name, not its bytes.
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// Real samples of ../shared/data/samples (samples_test.cc).
const std::vector<Case>& SampleCases();
// Fixtures of tests/data/hafnium that must fire (positive_test.cc, chains_test.cc).
const std::vector<Case>& PositiveFixtureCases();
const std::vector<Case>& ChainFixtureCases();
// Rules whose positive test builds its events in code (FIM content markers: the agent's FIM
// source reads a folder, not a log).
const std::vector<std::string>& RulesCoveredByBuiltEvents();

}  // namespace tripline::correlator::hafnium_test
