// kubectl etcd status
#include "cmd/kubectl-etcd/command.h"

namespace ketcd::cmd {

absl::Status RunStatus(Invocation& inv) {
  return absl::UnimplementedError("status is not available yet");
}

}  // namespace ketcd::cmd
