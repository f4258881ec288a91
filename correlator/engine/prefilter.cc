#include "correlator/engine/prefilter.h"

#include <algorithm>
#include <map>
#include <utility>

namespace tripline::correlator::engine {
namespace {

// How selective a requirement is: a longer shortest literal first (short ones like ".exe" occur
// in most values), then fewer literals. Lengths past 8 are all "rare enough".
std::pair<size_t, size_t> Selectivity(const std::vector<RequiredLiteral>& literals) {
  size_t shortest = SIZE_MAX;
  for (const RequiredLiteral& l : literals) shortest = std::min(shortest, l.text.size());
  return {std::min<size_t>(shortest, 8), SIZE_MAX - literals.size()};
}

constexpr size_t kMaxLiteral = 12;

}  // namespace

Requirement EitherOf(Requirement a, Requirement b) {
  if (!a || !b) return std::nullopt;
  a->insert(a->end(), std::make_move_iterator(b->begin()), std::make_move_iterator(b->end()));
  return a;
}

Requirement MoreSelective(Requirement a, Requirement b) {
  if (!a) return b;
  if (!b) return a;
  return Selectivity(*b) > Selectivity(*a) ? b : a;
}

Prefilter::Prefilter(const std::vector<Requirement>& requirements)
    : filtered_(requirements.size(), 0), fields_of_(requirements.size()) {
  std::map<std::pair<FieldAccessor::Fn, std::string>, size_t> field_index;
  for (size_t rule = 0; rule < requirements.size(); ++rule) {
    const Requirement& req = requirements[rule];
    if (!req || req->empty()) continue;
    filtered_[rule] = 1;
    ++filtered_count_;
    for (const RequiredLiteral& literal : *req) {
      auto [it, added] = field_index.try_emplace(
          std::make_pair(literal.field->fn, literal.field->key), fields_.size());
      if (added) {
        fields_.emplace_back();
        fields_.back().accessor = *literal.field;
      }
      Field& field = fields_[it->second];
      std::vector<uint32_t>& fields_of = fields_of_[rule];
      if (std::find(fields_of.begin(), fields_of.end(), it->second) == fields_of.end()) {
        fields_of.push_back(static_cast<uint32_t>(it->second));
      }
      // A piece of a required literal is required too: the last bytes (file names, extensions)
      // tell values apart best, and a short piece keeps the automaton small enough for the cache.
      std::string_view text = literal.text;
      if (text.size() > kMaxLiteral) text.remove_prefix(text.size() - kMaxLiteral);
      uint32_t id = field.patterns.Add(text);
      if (id >= field.rules_of.size()) field.rules_of.resize(id + 1);
      std::vector<uint32_t>& rules = field.rules_of[id];
      if (rules.empty() || rules.back() != rule) rules.push_back(static_cast<uint32_t>(rule));
    }
  }
  for (Field& field : fields_) {
    field.patterns.Build();
    field.literal_base = literal_total_;
    literal_total_ += static_cast<uint32_t>(field.patterns.literal_count());
  }
}

void Prefilter::Begin(PrefilterScratch* scratch) const {
  if (scratch->rule_stamp.size() != filtered_.size() ||
      scratch->literal_stamp.size() != literal_total_ ||
      scratch->field_stamp.size() != fields_.size() || ++scratch->epoch == 0) {
    scratch->rule_stamp.assign(filtered_.size(), 0);
    scratch->literal_stamp.assign(literal_total_, 0);
    scratch->field_stamp.assign(fields_.size(), 0);
    scratch->epoch = 1;
  }
  scratch->fields.clear();
}

void Prefilter::Scan(const v1::Event& event, PrefilterScratch* scratch) const {
  const uint32_t epoch = scratch->epoch;
  for (uint32_t f : scratch->fields) {
    const Field& field = fields_[f];
    FieldValue value = field.accessor.Get(event, &scratch->value);
    if (!value || value->empty()) continue;
    field.patterns.Scan(*value, [&](uint32_t id) {
      uint32_t& seen = scratch->literal_stamp[field.literal_base + id];
      if (seen == epoch) return;
      seen = epoch;
      for (uint32_t rule : field.rules_of[id]) scratch->rule_stamp[rule] = epoch;
    });
  }
}

size_t Prefilter::literals() const { return literal_total_; }

size_t Prefilter::memory_bytes() const {
  size_t bytes = filtered_.size();
  for (const Field& field : fields_) {
    bytes += field.patterns.memory_bytes();
    for (const auto& rules : field.rules_of) bytes += rules.size() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace tripline::correlator::engine
