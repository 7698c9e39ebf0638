// kubectl etcd restore
#include "cmd/kubectl-etcd/command.h"

namespace ketcd::cmd {

absl::Status RunRestore(Invocation& inv) {
  return absl::UnimplementedError("restore is not available yet");
}

}  // namespace ketcd::cmd
