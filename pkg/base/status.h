#pragma once
// Error handling for the whole project: absl::Status / absl::StatusOr, no exceptions
// across our own interfaces. The status code decides the process exit code.

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ketcd {

// Process exit codes (documented in README.md, "Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,          // anything not listed below, local file errors included (fsutil::ErrnoError)
  kExitUsage = 2,          // bad flags or arguments            (InvalidArgument)
  kExitUnreachable = 3,    // cannot talk to etcd: TLS, auth, network  (Unavailable, Unauthenticated,
                           //   PermissionDenied from etcd or the API server only, DeadlineExceeded)
  kExitBadSnapshot = 4,    // snapshot corrupt, truncated or hash mismatch (DataLoss)
  kExitRefused = 5,        // refused to overwrite or to act unsafely (AlreadyExists, FailedPrecondition)
  kExitNotFound = 6,       // file, manifest or etcd not found  (NotFound)
  kExitUnhealthy = 7,      // etcd answered, but a member is unreachable or unhealthy, or an alarm is raised
                           //   (UnhealthyError: the error carries this code as a payload)
  kExitInterrupted = 130,  // Ctrl-C / SIGTERM                  (Cancelled)
};

int ExitCodeFor(const absl::Status& status);

// An Unavailable error whose exit code is kExitUnhealthy: the cluster answered, and what it
// said is printed, but not every member is healthy.
absl::Status UnhealthyError(absl::string_view message);

}  // namespace ketcd

#define KETCD_STATUS_CONCAT_INNER_(a, b) a##b
#define KETCD_STATUS_CONCAT_(a, b) KETCD_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function when `expr` (an absl::Status) is not OK.
// The local's name is unique per expansion, so nesting (a lambda inside `expr`) shadows nothing.
#define KETCD_RETURN_IF_ERROR(expr) \
  KETCD_RETURN_IF_ERROR_IMPL_(KETCD_STATUS_CONCAT_(ketcd_status_, __COUNTER__), expr)
#define KETCD_RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                         \
    ::absl::Status tmp = (expr);               \
    if (!tmp.ok()) return tmp;                 \
  } while (0)

// `lhs = value of expr` (an absl::StatusOr<T>), or returns its error.
#define KETCD_ASSIGN_OR_RETURN(lhs, expr) \
  KETCD_ASSIGN_OR_RETURN_IMPL_(KETCD_STATUS_CONCAT_(ketcd_statusor_, __COUNTER__), lhs, expr)
#define KETCD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
