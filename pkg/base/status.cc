#include "pkg/base/status.h"

#include "absl/strings/cord.h"

namespace ketcd {
namespace {

constexpr char kExitCodePayload[] = "type.kubectl-etcd/exit-code";

}  // namespace

absl::Status UnhealthyError(absl::string_view message) {
  absl::Status s = absl::UnavailableError(message);
  s.SetPayload(kExitCodePayload, absl::Cord("unhealthy"));
  return s;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.GetPayload(kExitCodePayload).has_value()) return kExitUnhealthy;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUnreachable;
    case absl::StatusCode::kDataLoss:
      return kExitBadSnapshot;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return kExitRefused;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kCancelled:
      return kExitInterrupted;
    default:
      return kExitError;
  }
}

}  // namespace ketcd
