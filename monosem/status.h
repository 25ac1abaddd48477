// Error handling: library code returns absl::Status / absl::StatusOr and never
// aborts; these macros keep the happy path readable.
#ifndef MONOSEM_STATUS_H_
#define MONOSEM_STATUS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MONOSEM_CONCAT_INNER_(a, b) a##b
#define MONOSEM_CONCAT_(a, b) MONOSEM_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` is not OK.
#define MONOSEM_RETURN_IF_ERROR(expr)              \
  do {                                             \
    ::absl::Status monosem_status_ = (expr);       \
    if (!monosem_status_.ok()) return monosem_status_; \
  } while (0)

// `MONOSEM_ASSIGN_OR_RETURN(auto x, F());` unwraps a StatusOr or returns its error.
#define MONOSEM_ASSIGN_OR_RETURN(lhs, expr) \
  MONOSEM_ASSIGN_OR_RETURN_IMPL_(MONOSEM_CONCAT_(monosem_statusor_, __LINE__), lhs, expr)
#define MONOSEM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

#endif  // MONOSEM_STATUS_H_
