#pragma once
// The node operations behind RealNodeOps (node_ops.h): wait for the API server and for
// etcd, run a program, give the new data dir the old one's owner and SELinux label.

#include <chrono>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::noderestore {

// Polls https://127.0.0.1:<port>/livez until it answers (`up`) or stops answering.
// DeadlineExceeded after `timeout`; Cancelled on Ctrl-C when `interruptible`.
absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout, bool interruptible = true);

struct EtcdState {
  std::string endpoint;
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  uint64_t leader = 0;
  int64_t revision = 0;
  std::string version;
};

// Status of the first endpoint that answers within `dial`.
absl::StatusOr<EtcdState> EtcdStatus(const etcdclient::ConnectionConfig& config, std::chrono::milliseconds dial);

// What a wait for etcd expects to see.
struct EtcdWant {
  uint64_t cluster_id = 0;      // 0: any
  uint64_t not_cluster_id = 0;  // 0: no exclusion (the restored cluster, when the old ID is unknown)
  uint64_t member_id = 0;       // 0: any
  int64_t min_revision = 0;
  bool need_leader = false;
};
std::string DescribeWant(const EtcdWant& want);

// Waits until etcd on `config`'s endpoints is what `want` says. DeadlineExceeded after
// `timeout` with the last state or error seen.
absl::StatusOr<EtcdState> WaitEtcd(const etcdclient::ConnectionConfig& config, const EtcdWant& want,
                                   std::chrono::seconds timeout, bool interruptible = true);

// Waits until the member at `peer_url` reports `cluster_id` on its peer listener
// (PeerClusterId): etcd runs on the restored data, even before it has quorum.
absl::Status WaitPeer(const std::string& peer_url, const etcdclient::TlsFiles& tls, uint64_t cluster_id,
                      std::chrono::seconds timeout, bool interruptible = true);

// Runs a program found on PATH with `args`; FailedPrecondition with its output if it fails.
absl::Status RunProgram(const std::vector<std::string>& argv);

// Gives `dir` (recursively) the owner of `like` and its SELinux label (security.selinux), if any.
absl::Status CopyOwnerAndLabel(const std::string& like, const std::string& dir);

}  // namespace ketcd::noderestore
