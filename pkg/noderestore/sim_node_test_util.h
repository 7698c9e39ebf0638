#pragma once
// Test doubles for NodeOps (test-only):
//   SimNode    a node simulated over a scratch root: real files, and etcd, the API server,
//              systemctl and kubeadm-config derived from them at once (no waiting): etcd
//              serves the data its manifest (or the unit systemd loaded) points at, the API
//              server runs while its manifest is in place and etcd serves.
//   FaultyOps  wraps another NodeOps and fails its Nth call (ENOSPC, EIO, a failed fsync,
//              rename, wait or systemctl, whichever the call is), or "kills" the process
//              there: that call and every later one fail, as if nothing ran after it.

#include <memory>
#include <string>

#include "pkg/noderestore/journal.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/noderestore/plan.h"

namespace ketcd::noderestore::testing {

struct SimIdentity {
  std::string dir;  // data dir (no root) this etcd serves
  EtcdIdentity id;
};

class SimNode : public NodeOps {
 public:
  // Lays out `root` for `layout` (kubeadm or systemd) with etcd on /var/lib/etcd.
  SimNode(const std::string& root, Layout layout);
  ~SimNode() override;

  // A plan for restoring into /var/lib/etcd-restored-sim.
  Plan MakePlan() const;

  // What the node looks like now.
  std::string Root() const { return root_; }
  std::string R(const std::string& p) const { return root_ + p; }
  std::string DefinitionText() const;
  bool ControlPlaneInPlace() const;  // all three manifests in the kubelet's dir (static pods)
  bool ServesOld() const;
  bool ServesNew() const;
  bool ApiServerUp() const;
  std::string KubeadmDataDir() const { return kubeadm_data_dir_; }

  static constexpr char kOriginal[] = "data: /var/lib/etcd\n";
  static constexpr char kPatched[] = "data: /var/lib/etcd-restored-sim\n";
  static const SimIdentity kOld, kNew;

  absl::StatusOr<std::string> ReadFile(const std::string& path) override { return files_->ReadFile(path); }
  bool Exists(const std::string& path) override { return files_->Exists(path); }
  unsigned Mode(const std::string& path) override { return files_->Mode(path); }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override { return files_->ListDir(dir); }
  absl::Status MakeDir(const std::string& path, unsigned mode) override { return files_->MakeDir(path, mode); }
  absl::Status MakeDirs(const std::string& path, unsigned mode) override { return files_->MakeDirs(path, mode); }
  absl::Status CreateFile(const std::string& path, const std::string& contents, unsigned mode) override {
    return files_->CreateFile(path, contents, mode);
  }
  absl::Status SyncFile(const std::string& path) override { return files_->SyncFile(path); }
  absl::Status Rename(const std::string& from, const std::string& to) override { return files_->Rename(from, to); }
  absl::Status Remove(const std::string& path) override { return files_->Remove(path); }
  absl::Status SyncDir(const std::string& dir) override { return files_->SyncDir(dir); }

  absl::Status Systemctl(const std::vector<std::string>& args) override;
  absl::StatusOr<std::string> RestoreData(const restore::RestoreOptions& options) override;
  absl::Status CopyOwner(const std::string&, const std::string&) override { return absl::OkStatus(); }
  absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout) override;
  absl::StatusOr<EtcdState> WaitEtcd(const EtcdWant& want, std::chrono::seconds timeout) override;
  absl::Status WaitPeer(const std::string&, uint64_t, std::chrono::seconds) override {
    return absl::UnimplementedError("single member");
  }
  absl::Status SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) override;
  bool Interrupted() override { return false; }

 private:
  // The data dir etcd runs on now ("" when it is stopped), and what it serves.
  std::string EtcdDir() const;
  const SimIdentity* Serving() const;

  std::string root_;
  Layout layout_;
  std::unique_ptr<NodeOps> files_;
  std::string loaded_unit_;  // systemd: the unit as of the last daemon-reload
  bool etcd_running_ = true;  // systemd
  std::string kubeadm_data_dir_ = "/var/lib/etcd";
};

class FaultyOps : public NodeOps {
 public:
  enum class Fault { kFailOnce, kKill };
  FaultyOps(NodeOps& inner, int fail_at, Fault fault) : in_(inner), fail_at_(fail_at), fault_(fault) {}
  int calls() const { return calls_; }
  bool fired() const { return fired_; }
  const std::string& fired_on() const { return fired_on_; }

  absl::StatusOr<std::string> ReadFile(const std::string& path) override;
  bool Exists(const std::string& path) override { return in_.Exists(path); }
  unsigned Mode(const std::string& path) override { return in_.Mode(path); }
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  absl::Status MakeDir(const std::string& path, unsigned mode) override;
  absl::Status MakeDirs(const std::string& path, unsigned mode) override;
  absl::Status CreateFile(const std::string& path, const std::string& contents, unsigned mode) override;
  absl::Status SyncFile(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Remove(const std::string& path) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status Systemctl(const std::vector<std::string>& args) override;
  absl::StatusOr<std::string> RestoreData(const restore::RestoreOptions& options) override;
  absl::Status CopyOwner(const std::string& like, const std::string& dir) override;
  absl::Status WaitApiServer(int port, bool up, std::chrono::seconds timeout) override;
  absl::StatusOr<EtcdState> WaitEtcd(const EtcdWant& want, std::chrono::seconds timeout) override;
  absl::Status WaitPeer(const std::string& peer_url, uint64_t cluster_id, std::chrono::seconds timeout) override;
  absl::Status SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) override;
  bool Interrupted() override { return dead_; }
  void IgnoreInterrupts(bool ignore) override { in_.IgnoreInterrupts(ignore); }

 private:
  // The injected error for call number `calls_` of `what`, or OK.
  absl::Status Tick(const char* what, absl::Status fault);

  NodeOps& in_;
  int fail_at_;
  Fault fault_;
  int calls_ = 0;
  bool fired_ = false, dead_ = false;
  std::string fired_on_;
};

}  // namespace ketcd::noderestore::testing
