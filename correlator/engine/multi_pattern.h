#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tripline::correlator::engine {

// Aho-Corasick over many literals at once, ASCII case-insensitive: one pass over a value reports
// every literal that occurs in it, whatever the number of literals. Compiled to a dense automaton
// over byte classes (the bytes the literals use, upper and lower case folded; every other byte is
// one class), so a scan is one table lookup per byte. Add() all literals, Build() once, then
// immutable and safe to scan from several threads at once.
class MultiPattern {
 public:
  // `literal` must be non-empty; its ASCII letters are folded. Returns its id (0, 1, ...); the same
  // literal added twice gets the same id.
  uint32_t Add(std::string_view literal);
  void Build();

  size_t literal_count() const { return literal_count_; }
  size_t state_count() const { return fail_.size(); }
  size_t memory_bytes() const;

  // Calls `on_match(id)` for each occurrence of each literal in `haystack` (a literal found twice
  // is reported twice; callers stamp ids to see each once).
  template <typename OnMatch>
  void Scan(std::string_view haystack, OnMatch&& on_match) const {
    // A scan is a chain of dependent loads, one per byte. Long values are cut into pieces walked
    // in lockstep, so that the chains overlap in time; each piece but the last runs on for
    // longest_ - 1 bytes into the next, so that a literal across a cut is still seen whole.
    const size_t n = haystack.size();
    const char* p = haystack.data();
    if (n < kSplitAt) {
      uint32_t at = 0;
      for (size_t i = 0; i < n; ++i) Step(p[i], &at, on_match);
      return;
    }
    const size_t lanes = n < 4 * kSplitAt ? 2 : 4;
    const size_t piece = n / lanes;
    uint32_t at[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < piece; ++i) {
      for (size_t k = 0; k < lanes; ++k) Step(p[k * piece + i], &at[k], on_match);
    }
    for (size_t k = 0; k < lanes; ++k) {
      const size_t end = k + 1 == lanes ? n : std::min(n, (k + 1) * piece + longest_ - 1);
      for (size_t i = k * piece + piece; i < end; ++i) Step(p[i], &at[k], on_match);
    }
  }

 private:
  struct TrieNode {
    std::vector<std::pair<uint8_t, uint32_t>> children;  // (byte class, node)
    std::vector<uint32_t> ids;                            // literals ending here
  };

  uint32_t Child(uint32_t node, uint8_t cls) const;

  template <typename OnMatch>
  void Step(char c, uint32_t* at, OnMatch& on_match) const {
    const uint32_t entry = next_[*at + byte_class_[static_cast<unsigned char>(c)]];
    *at = entry & kRowMask;
    if ((entry & kReports) == 0) return;  // the usual case: one load per byte
    const uint32_t state = *at / classes_;
    for (int32_t s = has_output_[state] ? static_cast<int32_t>(state) : output_link_[state];
         s >= 0; s = output_link_[s]) {
      for (uint32_t i = output_begin_[s]; i < output_begin_[s + 1]; ++i) on_match(outputs_[i]);
    }
  }

  static constexpr size_t kSplitAt = 64;

  // An entry of next_ is the target state's row offset (state * classes_), with the top bit set
  // when a literal ends at that state or at one of its suffixes.
  static constexpr uint32_t kReports = 0x80000000u;
  static constexpr uint32_t kRowMask = 0x7fffffffu;

  std::vector<TrieNode> trie_{1};
  size_t literal_count_ = 0;
  size_t longest_ = 1;  // bytes of the longest literal
  uint8_t byte_class_[256] = {};
  uint32_t classes_ = 1;
  // After Build():
  std::vector<uint32_t> next_;          // state * classes_ + class -> entry (see kReports)
  std::vector<uint32_t> fail_;
  std::vector<int32_t> output_link_;    // nearest proper suffix state with output, or -1
  std::vector<uint8_t> has_output_;
  std::vector<uint32_t> output_begin_;  // state -> range in outputs_
  std::vector<uint32_t> outputs_;
};

}  // namespace tripline::correlator::engine
