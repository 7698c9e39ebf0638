#pragma once
// What a restore does to the node, one operation each: move static-pod manifests out of
// (and back into) the kubelet's directory, wait for the API server and for etcd, run
// systemctl, give the new data dir the old one's owner and SELinux label.

#include <chrono>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::noderestore {

// Copies <manifests_dir>/<name> into `backup_dir` (durably; an existing identical copy is
// fine) and then removes it from the manifests dir, so the kubelet stops the pod.
absl::Status MoveManifestOut(const std::string& manifests_dir, const std::string& name, const std::string& backup_dir);

// Writes the backup copy back into the manifests dir (dot-prefixed temporary + rename).
absl::Status PutManifestBack(const std::string& backup_dir, const std::string& name, const std::string& manifests_dir);

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

// Waits until etcd on `config`'s endpoints reports `cluster_id` (0: any) and a revision of
// at least `revision`, and, when `need_leader`, a leader. DeadlineExceeded after `timeout`
// with the last state or error seen.
absl::StatusOr<EtcdState> WaitEtcd(const etcdclient::ConnectionConfig& config, uint64_t cluster_id, int64_t revision,
                                   bool need_leader, std::chrono::seconds timeout, bool interruptible = true);

// Waits until the member at `peer_url` reports `cluster_id` on its peer listener
// (PeerClusterId): etcd runs on the restored data, even before it has quorum.
absl::Status WaitPeer(const std::string& peer_url, const etcdclient::TlsFiles& tls, uint64_t cluster_id,
                      std::chrono::seconds timeout, bool interruptible = true);

// Runs a program found on PATH with `args`; FailedPrecondition with its output if it fails.
absl::Status RunProgram(const std::vector<std::string>& argv);

// Gives `dir` (recursively) the owner of `like` and its SELinux label (security.selinux), if any.
absl::Status CopyOwnerAndLabel(const std::string& like, const std::string& dir);

}  // namespace ketcd::noderestore
