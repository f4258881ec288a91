#include "correlator/engine/multi_pattern.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace tripline::correlator::engine {

uint32_t MultiPattern::Child(uint32_t node, uint8_t cls) const {
  for (const auto& [c, child] : trie_[node].children) {
    if (c == cls) return child;
  }
  return 0;
}

uint32_t MultiPattern::Add(std::string_view literal) {
  longest_ = std::max(longest_, literal.size());
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

// States are numbered breadth-first, so the shallow states that most bytes of a scan visit share
// a few cache lines. Each state's failure link is the longest proper suffix that is also a trie
// path; missing transitions are copied from the failure state, which is shallower and so done.
void MultiPattern::Build() {
  const size_t n = trie_.size();
  std::vector<uint32_t> order{0};  // breadth-first order of trie nodes
  order.reserve(n);
  for (size_t i = 0; i < order.size(); ++i) {
    for (const auto& [cls, child] : trie_[order[i]].children) order.push_back(child);
  }
  std::vector<uint32_t> id(n);
  for (size_t i = 0; i < n; ++i) id[order[i]] = static_cast<uint32_t>(i);

  next_.assign(n * classes_, 0);
  fail_.assign(n, 0);
  output_link_.assign(n, -1);
  has_output_.assign(n, 0);
  for (size_t s = 0; s < n; ++s) {
    const TrieNode& node = trie_[order[s]];
    has_output_[s] = node.ids.empty() ? 0 : 1;
    if (s != 0) {
      const uint32_t f = fail_[s];
      output_link_[s] = has_output_[f] ? static_cast<int32_t>(f) : output_link_[f];
      std::copy_n(next_.begin() + f * classes_, classes_, next_.begin() + s * classes_);
    }
    for (const auto& [cls, child] : node.children) {
      fail_[id[child]] = s == 0 ? 0 : next_[fail_[s] * classes_ + cls];
      next_[s * classes_ + cls] = id[child];
    }
  }
  for (uint32_t& entry : next_) {
    const uint32_t target = entry;
    entry = target * classes_;
    if (has_output_[target] || output_link_[target] >= 0) entry |= kReports;
  }
  output_begin_.assign(n + 1, 0);
  outputs_.clear();
  for (size_t s = 0; s < n; ++s) {
    output_begin_[s] = static_cast<uint32_t>(outputs_.size());
    const std::vector<uint32_t>& ids = trie_[order[s]].ids;
    outputs_.insert(outputs_.end(), ids.begin(), ids.end());
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
