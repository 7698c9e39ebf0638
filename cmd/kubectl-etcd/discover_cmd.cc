// kubectl etcd discover
#include "cmd/kubectl-etcd/command.h"

namespace ketcd::cmd {

absl::Status RunDiscover(Invocation& inv) {
  return absl::UnimplementedError("discover is not available yet");
}

}  // namespace ketcd::cmd
