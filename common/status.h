#pragma once

// One error policy (STYLE.md): fallible calls return absl::Status / absl::StatusOr<T>.
#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TRIPLINE_CONCAT_INNER(a, b) a##b
#define TRIPLINE_CONCAT(a, b) TRIPLINE_CONCAT_INNER(a, b)

// Returns from the calling function when `expr` yields a non-OK status.
#define TRIPLINE_RETURN_IF_ERROR(expr)              \
  do {                                              \
    if (absl::Status _st = (expr); !_st.ok()) {     \
      return _st;                                   \
    }                                               \
  } while (false)

// `lhs = value of expr`, or return its status.
#define TRIPLINE_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto TRIPLINE_CONCAT(_statusor_, __LINE__) = (expr);                \
  if (!TRIPLINE_CONCAT(_statusor_, __LINE__).ok()) {                  \
    return TRIPLINE_CONCAT(_statusor_, __LINE__).status();            \
  }                                                                   \
  lhs = std::move(TRIPLINE_CONCAT(_statusor_, __LINE__)).value()
