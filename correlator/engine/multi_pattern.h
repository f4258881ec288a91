#pragma once

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
    uint32_t state = 0;
    for (char c : haystack) {
      state = next_[state * classes_ + byte_class_[static_cast<unsigned char>(c)]];
      for (int32_t s = has_output_[state] ? static_cast<int32_t>(state) : output_link_[state];
           s >= 0; s = output_link_[s]) {
        for (uint32_t i = output_begin_[s]; i < output_begin_[s + 1]; ++i) on_match(outputs_[i]);
      }
    }
  }

 private:
  struct TrieNode {
    std::vector<std::pair<uint8_t, uint32_t>> children;  // (byte class, node)
    std::vector<uint32_t> ids;                            // literals ending here
  };

  uint32_t Child(uint32_t node, uint8_t cls) const;

  std::vector<TrieNode> trie_{1};
  size_t literal_count_ = 0;
  uint8_t byte_class_[256] = {};
  uint32_t classes_ = 1;
  // After Build():
  std::vector<uint32_t> next_;          // state * classes_ + class -> state
  std::vector<uint32_t> fail_;
  std::vector<int32_t> output_link_;    // nearest proper suffix state with output, or -1
  std::vector<uint8_t> has_output_;
  std::vector<uint32_t> output_begin_;  // state -> range in outputs_
  std::vector<uint32_t> outputs_;
};

}  // namespace tripline::correlator::engine
