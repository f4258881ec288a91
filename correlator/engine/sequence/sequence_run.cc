#include "correlator/engine/sequence/sequence_run.h"

#include <algorithm>

namespace tripline::correlator::engine {

int64_t SequenceMachine::Deadline(const SequenceRun& run) const {
  int64_t deadline = run.start_us + rule_->maxspan_us;
  const SequenceStep& next = rule_->steps[static_cast<size_t>(run.next)];
  if (next.within_us > 0) deadline = std::min(deadline, run.last_us + next.within_us);
  return deadline;
}

bool SequenceMachine::JoinsMatch(const std::vector<SequenceJoin>& joins, const StepHit& hit,
                                 const SequenceRun& run) const {
  for (size_t i = 0; i < joins.size(); ++i) {
    const std::optional<std::string>& mine = hit.joins[i];
    const auto& captured = run.captures[static_cast<size_t>(joins[i].step)];
    if (!mine || captured.empty()) return false;  // no value, or that step not reached yet
    const std::optional<std::string>& theirs = captured[static_cast<size_t>(joins[i].capture)];
    if (!theirs || *theirs != *mine) return false;
  }
  return true;
}

void SequenceMachine::Apply(int64_t time_us, const std::vector<StepHit>& hits,
                            const std::shared_ptr<const v1::Event>& event,
                            std::vector<SequenceRun>* runs, RunOutcome* outcome) const {
  for (const StepHit& hit : hits) {
    if (hit.until) Cancel(time_us, hit, runs, outcome);
  }
  // Existing runs first, so that a first-step event never also advances the run it starts.
  size_t kept = 0;
  for (size_t i = 0; i < runs->size(); ++i) {
    SequenceRun& run = (*runs)[i];
    auto hit = std::find_if(hits.begin(), hits.end(),
                            [&](const StepHit& h) { return !h.until && h.step == run.next; });
    if (hit != hits.end() && Step(time_us, *hit, event, &run, outcome) < 0) continue;
    if (kept != i) (*runs)[kept] = std::move(run);
    ++kept;
  }
  runs->erase(runs->begin() + static_cast<std::ptrdiff_t>(kept), runs->end());
  for (const StepHit& hit : hits) {
    if (!hit.until && hit.step == 0) Start(time_us, hit, event, runs, outcome);
  }
}

void SequenceMachine::Cancel(int64_t time_us, const StepHit& hit, std::vector<SequenceRun>* runs,
                             RunOutcome* outcome) const {
  const SequenceStep& until = rule_->until[static_cast<size_t>(hit.step)];
  const size_t before = runs->size();
  std::erase_if(*runs, [&](const SequenceRun& run) {
    return run.start_us <= time_us && JoinsMatch(until.joins, hit, run);
  });
  outcome->cancelled += before - runs->size();
}

int SequenceMachine::Step(int64_t time_us, const StepHit& hit,
                          const std::shared_ptr<const v1::Event>& event, SequenceRun* run,
                          RunOutcome* outcome) const {
  const SequenceStep& step = rule_->steps[static_cast<size_t>(run->next)];
  if (time_us < run->last_us || time_us > Deadline(*run)) return 0;
  if (!JoinsMatch(step.joins, hit, *run)) return 0;
  if (step.absent) {  // the event that must not happen did
    ++outcome->cancelled;
    return -1;
  }
  run->captures[static_cast<size_t>(run->next)] = hit.captures;
  run->events.push_back({run->next, time_us, event});
  run->last_us = time_us;
  if (++run->next < static_cast<int>(rule_->steps.size())) return 1;
  outcome->completed.push_back(std::move(*run));
  return -1;
}

void SequenceMachine::Start(int64_t time_us, const StepHit& hit,
                            const std::shared_ptr<const v1::Event>& event,
                            std::vector<SequenceRun>* runs, RunOutcome* outcome) const {
  for (SequenceRun& run : *runs) {
    if (run.next == 1 && run.captures[0] == hit.captures) {  // the same thing again: restart
      run.start_us = run.last_us = time_us;
      run.events.assign(1, Contributor{0, time_us, event});
      return;
    }
  }
  if (runs->size() >= max_runs_ && !runs->empty()) {
    runs->erase(std::min_element(runs->begin(), runs->end(),
                                 [](const SequenceRun& a, const SequenceRun& b) {
                                   return a.start_us < b.start_us;
                                 }));
    ++outcome->evicted;
  }
  SequenceRun& run = runs->emplace_back();
  run.start_us = run.last_us = time_us;
  run.captures.resize(rule_->steps.size());
  run.captures[0] = hit.captures;
  run.events.push_back(Contributor{0, time_us, event});
}

bool SequenceMachine::Advance(int64_t before_us, std::vector<SequenceRun>* runs,
                              RunOutcome* outcome) const {
  bool passed = false;
  size_t kept = 0;
  for (size_t i = 0; i < runs->size(); ++i) {
    SequenceRun& run = (*runs)[i];
    if (!PassDeadlines(before_us, &run, outcome, &passed)) continue;
    if (kept != i) (*runs)[kept] = std::move(run);
    ++kept;
  }
  runs->erase(runs->begin() + static_cast<std::ptrdiff_t>(kept), runs->end());
  return passed;
}

bool SequenceMachine::PassDeadlines(int64_t before_us, SequenceRun* run, RunOutcome* outcome,
                                    bool* passed) const {
  const int steps = static_cast<int>(rule_->steps.size());
  for (int64_t deadline = Deadline(*run); deadline < before_us; deadline = Deadline(*run)) {
    if (!rule_->steps[static_cast<size_t>(run->next)].absent) {
      ++outcome->expired;
      return false;
    }
    run->last_us = deadline;  // nothing came in time: the absence step holds
    *passed = true;
    if (++run->next == steps) {
      outcome->completed.push_back(std::move(*run));
      return false;
    }
  }
  return true;
}

}  // namespace tripline::correlator::engine
