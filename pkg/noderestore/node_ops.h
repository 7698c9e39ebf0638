#pragma once
// Every side effect of a node restore goes through NodeOps: the file system (in the
// primitives that durability is built from, so that a test can fail any one of them),
// systemctl, the restore itself, and the waits for etcd and the API server. RealNodeOps
// does them; tests wrap it (fault injection) or replace it (a simulated node).

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/etcdclient/client.h"
#include "pkg/noderestore/probes.h"
#include "pkg/restore/restore_options.h"

namespace ketcd::noderestore {

class NodeOps {
 public:
  virtual ~NodeOps() = default;

  // Files; every path is a host path (the host root already applied).
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual unsigned Mode(const std::string& path) = 0;  // permission bits; 0600 when unknown
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;  // names, no dot entries
  virtual absl::Status MakeDir(const std::string& path, unsigned mode) = 0;  // one level; AlreadyExists if present
  virtual absl::Status MakeDirs(const std::string& path, unsigned mode) = 0;  // with parents; present is fine
  virtual absl::Status CreateFile(const std::string& path, const std::string& contents, unsigned mode) = 0;
  virtual absl::Status SyncFile(const std::string& path) = 0;
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  virtual absl::Status Remove(const std::string& path) = 0;  // a file; NotFound when absent
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  // The node.
  virtual absl::Status Systemctl(const std::vector<std::string>& args) = 0;
  // Restores the snapshot (restore::Restore); returns the snapshot's SHA-256.
  virtual absl::StatusOr<std::string> RestoreData(const restore::RestoreOptions& options) = 0;
  // Gives `dir` (recursively) the owner and SELinux label of `like` (if it exists), mode 0700.
  virtual absl::Status CopyOwner(const std::string& like, const std::string& dir) = 0;
  virtual absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout) = 0;
  virtual absl::StatusOr<EtcdState> WaitEtcd(const EtcdWant& want, std::chrono::seconds timeout) = 0;
  virtual absl::Status WaitPeer(const std::string& peer_url, uint64_t cluster_id, std::chrono::seconds timeout) = 0;
  // Sets etcd.local.dataDir in ConfigMap kube-system/kubeadm-config to `to` when it is one
  // of `from` (or already `to`); FailedPrecondition naming the value otherwise.
  virtual absl::Status SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) = 0;
  virtual bool Interrupted() = 0;
  // While going back (rollback, undo), waits go on through Ctrl-C: stopping half-way back
  // would leave the node in neither state.
  virtual void IgnoreInterrupts(bool ignore) { (void)ignore; }
};

struct RealNodeOptions {
  etcdclient::ConnectionConfig connection;  // this node's etcd
  std::string host_root = "/";
  std::string kubeconfig;                   // --kubeconfig for kubeadm-config
};
std::unique_ptr<NodeOps> NewRealNodeOps(const RealNodeOptions& options);

// Durable file changes built from the primitives. A file is replaced through
// "<dir>/.<name>.kubectl-etcd-tmp" (the kubelet reads only names matching "[^.]*", so it
// never sees the temporary), fsynced, renamed over the target, and the dir fsynced.
absl::Status WriteDurably(NodeOps& ops, const std::string& path, const std::string& contents, unsigned mode);
// Removes a file (absent is fine) and fsyncs its dir.
absl::Status RemoveDurably(NodeOps& ops, const std::string& path);

}  // namespace ketcd::noderestore
