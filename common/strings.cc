#include "common/strings.h"

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define TRIPLINE_SPLIT_SSE2 1
#endif

namespace tripline {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of("\\/");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

void SplitInto(std::string_view text, char sep, std::vector<std::string_view>& out) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t start = 0;
  size_t i = 0;
#ifdef TRIPLINE_SPLIT_SSE2
  const __m128i needle = _mm_set1_epi8(sep);
  for (; i + 16 <= n; i += 16) {
    __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, needle)));
    while (mask != 0) {
      size_t at = i + static_cast<size_t>(__builtin_ctz(mask));
      out.emplace_back(p + start, at - start);
      start = at + 1;
      mask &= mask - 1;
    }
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == sep) {
      out.emplace_back(p + start, i - start);
      start = i + 1;
    }
  }
  out.emplace_back(p + start, n - start);
}

}  // namespace tripline
