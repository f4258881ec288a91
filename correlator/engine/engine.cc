#include "correlator/engine/engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/hash.h"
#include "common/time_util.h"
#include "correlator/engine/absl_compat.h"

namespace tripline::correlator::engine {
namespace {

// The one thing an analyst wants to see first for each kind of event.
std::string EventSummary(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kHttp: {
      const v1::HttpRequest& h = e.http();
      std::string out = Cat(h.method(), h.method().empty() ? "" : " ", h.url_path());
      if (!h.url_query().empty()) absl::StrAppend(&out, "?", h.url_query());
      if (h.status_code() != 0) absl::StrAppend(&out, " -> ", h.status_code());
      if (!h.source_ip().empty()) absl::StrAppend(&out, " from ", h.source_ip());
      return out;
    }
    case v1::Event::kProcess:
      return e.process().process().command_line().empty() ? e.process().process().executable()
                                                          : e.process().process().command_line();
    case v1::Event::kFile: return e.file().path();
    case v1::Event::kService:
      return Cat("service ", e.service().name(), " ", e.service().executable());
    case v1::Event::kNetwork:
      return Cat(e.network().process().executable(), " -> ",
                          e.network().destination_ip(), ":", e.network().destination_port());
    case v1::Event::kCmdlet:
      return e.cmdlet().command_line().empty() ? e.cmdlet().name() : e.cmdlet().command_line();
    case v1::Event::kWindows:
      return Cat(e.windows().channel(), " ", e.windows().event_code());
    case v1::Event::kApp: return e.app().message();
    default: return e.original();
  }
}

}  // namespace

std::string AlertMessage(const std::string& title, const v1::Event& event) {
  return Cat(title, " on ", event.host().name(), ": ", EventSummary(event));
}

Engine::Engine(std::shared_ptr<const RuleSet> rules, Clock now)
    : rules_(std::move(rules)), now_(now != nullptr ? now : &NowTimestamp) {
  BuildStates();
}

void Engine::SetRules(std::shared_ptr<const RuleSet> rules) {
  rules_ = std::move(rules);
  BuildStates();
}

void Engine::set_allowed_lateness_us(int64_t us) {
  lateness_us_ = us;
  BuildStates();
}

void Engine::set_state_caps(const StateCaps& caps) {
  caps_ = caps;
  BuildStates();
}

// Fresh, empty state for every correlation, sequence and first-seen rule of the set; the new
// states start at the engine's watermark (events the old set called late stay late).
void Engine::BuildStates() {
  sequences_.clear();
  for (const auto& rule : rules_->sequences()) {
    SequenceLimits limits;
    limits.allowed_lateness_us = lateness_us_;
    limits.max_keys = caps_.max_keys;
    limits.max_runs_per_key = caps_.max_runs_per_key;
    limits.max_pending_per_key = caps_.max_per_key;
    sequences_.push_back(std::make_unique<SequenceState>(rule, limits, now_));
  }
  first_seen_.clear();
  for (const auto& rule : rules_->first_seen()) {
    FirstSeenLimits limits;
    limits.allowed_lateness_us = lateness_us_;
    limits.max_keys = caps_.max_keys;
    limits.max_values_per_key = caps_.max_per_key * 10;
    first_seen_.push_back(std::make_unique<FirstSeenState>(rule, limits, now_));
  }
  correlations_.clear();
  for (const BoundCorrelation& bound : rules_->correlations()) {
    CorrelationLimits limits;
    limits.allowed_lateness_us = lateness_us_;
    limits.max_keys = caps_.max_keys;
    limits.max_events_per_key = caps_.max_per_key;
    const BoundCorrelation* b = &bound;
    auto value_of = [b](std::string_view base_rule,
                        const v1::Event& event) -> std::optional<std::string> {
      int i = b->rule->RuleIndex(base_rule);
      if (i < 0 || !b->value[static_cast<size_t>(i)]) return std::nullopt;
      std::string scratch;
      FieldValue v = b->value[static_cast<size_t>(i)]->Get(event, &scratch);
      if (!v) return std::nullopt;
      return std::string(*v);
    };
    correlations_.push_back(
        std::make_unique<CorrelationState>(bound.rule, limits, value_of, now_));
  }
  const int64_t watermark = watermark_us_;
  watermark_us_ = 0;
  std::vector<v1::Alert> none;  // empty states raise nothing
  AdvanceWatermark(watermark, &none);
}

StateTotals Engine::state_totals() const {
  StateTotals t;
  for (const auto& s : correlations_) {
    t.late += s->counters().late;
    t.evicted += s->counters().evicted_keys + s->counters().evicted_events;
  }
  for (const auto& s : sequences_) {
    t.late += s->counters().late;
    t.evicted += s->counters().evicted_keys + s->counters().evicted_runs;
  }
  for (const auto& s : first_seen_) {
    t.late += s->counters().late;
    t.evicted += s->counters().evicted_keys + s->counters().evicted_values;
  }
  t.evicted += counters_.suppression_evictions;
  return t;
}

void Engine::Process(const v1::Event& event, std::vector<v1::Alert>* out) {
  const size_t first_alert = out->size();
  ++counters_.events;
  const EventLogsource logsource = DeriveLogsource(event);
  bool matched = false;
  rules_->Prefilter(event, logsource, &scratch_.prefilter);
  scratch_.prefilter.active = true;
  rules_->ForEachCandidate(logsource, scratch_.prefilter, [&](const SigmaRule& rule) {
    if (!rule.Matches(event, &scratch_)) return;
    matched = true;
    if (!rules_->Suppressed(&rule)) AppendAlert(rule, event, out);
    Correlate(rule, event, out);
  });
  if (matched) ++counters_.matched_events;
  const int64_t time_us = MicrosFromTimestamp(event.event_time());
  FeedTripline(event, logsource, time_us, out);
  scratch_.prefilter.active = false;
  AdvanceWatermark(time_us, out);
  if (suppression_us_ > 0 && out->size() > first_alert) Suppress(out, first_alert);
}

void Engine::Suppress(std::vector<v1::Alert>* out, size_t first) {
  constexpr size_t kMaxWindows = 100'000;
  size_t kept = first;
  for (size_t i = first; i < out->size(); ++i) {
    v1::Alert& a = (*out)[i];
    const int64_t at = MicrosFromTimestamp(a.window_end().seconds() || a.window_end().nanos()
                                               ? a.window_end()
                                               : a.created_time());
    std::string key = Cat(a.rule().id(), "\x1f", a.group_key());
    auto it = suppressed_until_.find(key);
    if (it != suppressed_until_.end() && at < it->second) {
      ++counters_.suppressed;
      continue;
    }
    if (suppressed_until_.size() >= kMaxWindows) {
      // Forget the windows that closed before the watermark; if none did, the oldest-ending.
      std::erase_if(suppressed_until_, [&](const auto& kv) { return kv.second <= watermark_us_; });
      if (suppressed_until_.size() >= kMaxWindows) {
        auto oldest = std::min_element(suppressed_until_.begin(), suppressed_until_.end(),
                                       [](const auto& x, const auto& y) { return x.second < y.second; });
        suppressed_until_.erase(oldest);
        ++counters_.suppression_evictions;
      }
    }
    suppressed_until_[key] = at + suppression_us_;
    if (kept != i) (*out)[kept] = std::move(a);
    ++kept;
  }
  counters_.alerts -= out->size() - kept;
  out->resize(kept);
}

// Sequence and first-seen rules match their own steps and filters (they are not detection rules
// of the set, so the logsource buckets do not route to them).
void Engine::FeedTripline(const v1::Event& event, const EventLogsource& logsource,
                          int64_t time_us, std::vector<v1::Alert>* out) {
  const size_t before = out->size();
  // First-seen rules first: a sequence step may require that one of them found the event new.
  scratch_.first_seen_fired.clear();
  for (size_t i = 0; i < first_seen_.size(); ++i) {
    const size_t had = out->size();
    first_seen_[i]->Process(event, logsource, time_us, &scratch_, out);
    if (out->size() == had) continue;
    const RuleMetadata& m = rules_->first_seen()[i]->metadata;
    scratch_.first_seen_fired.push_back(m.id);
    if (!m.name.empty()) scratch_.first_seen_fired.push_back(m.name);
  }
  for (auto& state : sequences_) state->Process(event, logsource, time_us, &scratch_, out);
  counters_.alerts += out->size() - before;
}

// The watermark is the newest event time seen; it never goes back.
void Engine::AdvanceWatermark(int64_t time_us, std::vector<v1::Alert>* out) {
  if (time_us <= watermark_us_) return;
  watermark_us_ = time_us;
  const size_t before = out->size();
  for (auto& state : correlations_) state->AdvanceWatermark(watermark_us_);
  for (auto& state : sequences_) state->AdvanceWatermark(watermark_us_, out);
  for (auto& state : first_seen_) state->AdvanceWatermark(watermark_us_);
  counters_.alerts += out->size() - before;
}

// Feeds one match of `rule` to every correlation that names it, with that correlation's group-by
// values read from the event (fields resolved for `rule`'s logsource when the rules loaded).
void Engine::Correlate(const SigmaRule& rule, const v1::Event& event,
                       std::vector<v1::Alert>* out) {
  const auto* feeds = rules_->CorrelationsOf(&rule);
  if (feeds == nullptr) return;
  int64_t time_us = MicrosFromTimestamp(event.event_time());
  std::string scratch;
  for (const auto& [c, pos] : *feeds) {
    const BoundCorrelation& bound = rules_->correlations()[static_cast<size_t>(c)];
    group_values_.clear();
    for (const FieldAccessor& a : bound.group_by[static_cast<size_t>(pos)]) {
      FieldValue v = a.Get(event, &scratch);
      group_values_.emplace_back(v ? std::string(*v) : std::string());
    }
    size_t before = out->size();
    correlations_[static_cast<size_t>(c)]->Observe(bound.rule->rules[static_cast<size_t>(pos)],
                                                   group_values_, time_us, event, out);
    counters_.alerts += out->size() - before;
  }
}

void Engine::AppendAlert(const SigmaRule& rule, const v1::Event& event,
                         std::vector<v1::Alert>* out) {
  const RuleMetadata& m = rule.metadata();
  const std::string& group_key = event.host().id().empty() ? event.host().name()
                                                           : event.host().id();
  v1::Alert& alert = out->emplace_back();
  alert.set_alert_id(StableId({m.id, group_key, event.event_id()}));
  v1::RuleRef* ref = alert.mutable_rule();
  ref->set_id(m.id);
  ref->set_title(m.title);
  ref->set_kind("sigma");
  ref->set_ruleset(m.file);
  ref->set_description(m.description);
  for (const std::string& r : m.references) ref->add_references(r);
  for (const std::string& t : m.tags) ref->add_tags(t);
  alert.set_severity(m.severity);
  for (const std::string& t : m.technique_ids) alert.add_attack_technique_ids(t);
  for (const std::string& t : m.tactic_ids) alert.add_attack_tactic_ids(t);
  *alert.mutable_host() = event.host();
  alert.set_group_key(group_key);
  *alert.mutable_window_start() = event.event_time();
  *alert.mutable_window_end() = event.event_time();
  *alert.mutable_created_time() = now_();
  alert.add_event_ids(event.event_id());
  *alert.add_events() = event;
  alert.set_message(AlertMessage(m.title, event));
  ++counters_.alerts;
}

}  // namespace tripline::correlator::engine
