#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "correlator/engine/sequence/sequence_rule.h"
#include "tripline/v1/event.pb.h"

namespace tripline::correlator::engine {

// An event that took part in a run: the step it matched and when.
struct Contributor {
  int step = 0;
  int64_t time_us = 0;
  std::shared_ptr<const v1::Event> event;  // shared with the key's reorder buffer
};

// One pending sequence of one key: how far it got and what its steps captured. A plain value
// (copied when a key's runs are rebuilt from its committed state).
struct SequenceRun {
  int next = 1;          // the step it waits for
  int64_t start_us = 0;  // time of the first step
  int64_t last_us = 0;   // time of the previous step (for an absence step: its deadline)
  std::vector<std::vector<std::optional<std::string>>> captures;  // per step; empty until reached
  std::vector<Contributor> events;  // the present steps' events, in step order
};

// What applying events to runs did, for the caller to fire and count.
struct RunOutcome {
  std::vector<SequenceRun> completed;
  uint64_t cancelled = 0;  // by `until` or by the event of an absence step
  uint64_t expired = 0;    // the next step's time bound passed
  uint64_t evicted = 0;    // the oldest run dropped for a new one (max_runs reached)
};

// The step function of a sequence rule over one key's runs, in event time. Runs never branch:
// an event advances every run it fits (at most one step each) and the first step starts a run;
// a first-step event whose captures equal those of a run still waiting for step 2 restarts that
// run instead of adding a duplicate (the same shell written twice is one pending sequence, two
// different shells are two). Bounds are inclusive: a step `within: 2m` may come exactly 2m
// after the previous one.
//
// Absence steps only pass in Advance(): whether "no such event" held is known only once no
// event that early can arrive any more (the caller passes watermark - allowed lateness).
//
// Stateless besides its rule and limit: the caller owns the runs. Shared by the const methods
// of one SequenceState, so it is used from that state's thread only.
class SequenceMachine {
 public:
  SequenceMachine(const SequenceRule* rule, size_t max_runs) : rule_(rule), max_runs_(max_runs) {}

  // Applies one event at `time_us` with its hits (for the key of `runs`). Events must come in
  // time order for one run list.
  void Apply(int64_t time_us, const std::vector<StepHit>& hits,
             const std::shared_ptr<const v1::Event>& event, std::vector<SequenceRun>* runs,
             RunOutcome* outcome) const;

  // Passes the absence steps whose deadline is before `before_us` (completing runs that end with
  // one) and drops the runs whose next present step can no longer come in time. Returns whether
  // an absence step passed (the runs changed in a way events did not cause).
  bool Advance(int64_t before_us, std::vector<SequenceRun>* runs, RunOutcome* outcome) const;

  // The latest time the run's next step may have: the step's `within` after the previous step,
  // and the rule's maxspan after the first step.
  int64_t Deadline(const SequenceRun& run) const;

 private:
  bool JoinsMatch(const std::vector<SequenceJoin>& joins, const StepHit& hit,
                  const SequenceRun& run) const;
  void Cancel(int64_t time_us, const StepHit& hit, std::vector<SequenceRun>* runs,
              RunOutcome* outcome) const;
  // 1: advanced, 0: not for this run, -1: the run ends (completed into `outcome` or cancelled).
  int Step(int64_t time_us, const StepHit& hit, const std::shared_ptr<const v1::Event>& event,
           SequenceRun* run, RunOutcome* outcome) const;
  // false when the run ends (expired, or completed into `outcome`).
  bool PassDeadlines(int64_t before_us, SequenceRun* run, RunOutcome* outcome,
                     bool* passed) const;
  void Start(int64_t time_us, const StepHit& hit, const std::shared_ptr<const v1::Event>& event,
             std::vector<SequenceRun>* runs, RunOutcome* outcome) const;

  const SequenceRule* rule_;  // not owned; the SequenceState holds it
  size_t max_runs_;
};

}  // namespace tripline::correlator::engine
