#include "correlator/engine/multi_pattern.h"

#include <deque>

#include "absl/strings/ascii.h"

namespace tripline::correlator::engine {

uint32_t MultiPattern::Child(uint32_t node, uint8_t cls) const {
  for (const auto& [c, child] : trie_[node].children) {
    if (c == cls) return child;
  }
  return 0;
}

uint32_t MultiPattern::Add(std::string_view literal) {
  uint32_t node = 0;
  for (char raw : literal) {
    unsigned char c = static_cast<unsigned char>(absl::ascii_tolower(static_cast<unsigned char>(raw)));
    if (byte_class_[c] == 0) {
      byte_class_[c] = static_cast<uint8_t>(classes_);
      if (absl::ascii_isalpha(c)) byte_class_[static_cast<unsigned char>(absl::ascii_toupper(c))] = byte_class_[c];
      ++classes_;
    }
    uint8_t cls = byte_class_[c];
    uint32_t child = Child(node, cls);
    if (child == 0) {
      child = static_cast<uint32_t>(trie_.size());
      trie_[node].children.emplace_back(cls, child);
      trie_.emplace_back();
    }
    node = child;
  }
  if (!trie_[node].ids.empty()) return trie_[node].ids.front();
  uint32_t id = static_cast<uint32_t>(literal_count_++);
  trie_[node].ids.push_back(id);
  return id;
}

// Breadth-first over the trie: each state's failure link is the longest proper suffix that is
// also a trie path; missing transitions are filled from the failure state, which is complete
// because it is shallower and was filled first.
void MultiPattern::Build() {
  const size_t n = trie_.size();
  next_.assign(n * classes_, 0);
  fail_.assign(n, 0);
  output_link_.assign(n, -1);
  has_output_.assign(n, 0);
  std::deque<uint32_t> queue;
  for (const auto& [cls, child] : trie_[0].children) {
    next_[cls] = child;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    uint32_t s = queue.front();
    queue.pop_front();
    has_output_[s] = trie_[s].ids.empty() ? 0 : 1;
    uint32_t f = fail_[s];
    output_link_[s] = has_output_[f] ? static_cast<int32_t>(f) : output_link_[f];
    for (uint32_t cls = 0; cls < classes_; ++cls) next_[s * classes_ + cls] = next_[f * classes_ + cls];
    for (const auto& [cls, child] : trie_[s].children) {
      fail_[child] = next_[f * classes_ + cls];
      next_[s * classes_ + cls] = child;
      queue.push_back(child);
    }
  }
  output_begin_.assign(n + 1, 0);
  outputs_.clear();
  for (size_t s = 0; s < n; ++s) {
    output_begin_[s] = static_cast<uint32_t>(outputs_.size());
    outputs_.insert(outputs_.end(), trie_[s].ids.begin(), trie_[s].ids.end());
  }
  output_begin_[n] = static_cast<uint32_t>(outputs_.size());
  trie_.clear();
  trie_.shrink_to_fit();
}

size_t MultiPattern::memory_bytes() const {
  return next_.size() * sizeof(uint32_t) + fail_.size() * sizeof(uint32_t) +
         output_link_.size() * sizeof(int32_t) + has_output_.size() +
         output_begin_.size() * sizeof(uint32_t) + outputs_.size() * sizeof(uint32_t);
}

}  // namespace tripline::correlator::engine
