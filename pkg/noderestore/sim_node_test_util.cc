#include "pkg/noderestore/sim_node_test_util.h"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/fsutil/file.h"

namespace ketcd::noderestore::testing {
namespace {

constexpr char kManifests[] = "/etc/kubernetes/manifests";
constexpr char kUnit[] = "/etc/systemd/system/etcd.service";
constexpr char kBase[] = "/etc/kubernetes/kubectl-etcd-backups";
constexpr char kRunId[] = "20260101T000000Z";

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// "data: X" -> X.
std::string DataLine(const std::string& text) {
  if (!absl::StartsWith(text, "data: ")) return "";
  std::string dir = text.substr(6);
  while (!dir.empty() && dir.back() == '\n') dir.pop_back();
  return dir;
}

}  // namespace

const SimIdentity SimNode::kOld = {"/var/lib/etcd", {0xa1, 0x11, 100}};
const SimIdentity SimNode::kNew = {"/var/lib/etcd-restored-sim", {0xb2, 0x22, 1'000'000'100}};

SimNode::SimNode(const std::string& root, Layout layout) : root_(root), layout_(layout), files_(NewRealNodeOps({})) {
  std::filesystem::create_directories(R(kOld.dir));
  Write(R(kOld.dir + "/marker"), "old");
  if (layout_ == Layout::kSystemd) {
    Write(R(kUnit), kOriginal);
    loaded_unit_ = kOriginal;
  } else {
    Write(R(std::string(kManifests) + "/etcd.yaml"), kOriginal);
    for (const char* m : kControlPlaneManifests) Write(R(absl::StrCat(kManifests, "/", m)), "kind: Pod\n");
  }
}

SimNode::~SimNode() = default;

Plan SimNode::MakePlan() const {
  Plan p;
  p.opts.host_root = root_;
  p.opts.backup_base = kBase;
  p.opts.wait_timeout = std::chrono::seconds(1);
  p.layout = layout_;
  p.snapshot = "/snap.db";
  p.original_text = kOriginal;
  p.patched_text = kPatched;
  bool systemd = layout_ == Layout::kSystemd;
  std::string def = systemd ? kUnit : std::string(kManifests) + "/etcd.yaml";
  p.definition_file = R(def);
  Journal& j = p.journal;
  j.run_id = kRunId;
  j.layout = layout_;
  j.backup_dir = absl::StrCat(kBase, "/", kRunId);
  j.definition_file = def;
  j.definition_original = j.backup_dir + (systemd ? "/etcd.service" : "/etcd.yaml");
  j.definition_patched = j.definition_original + ".restored";
  j.data_dir_setting = "data";
  if (!systemd) {
    j.manifests_dir = kManifests;
    for (const char* m : kControlPlaneManifests) j.control_plane.push_back(m);
  }
  j.old_data_dir = kOld.dir;
  j.new_data_dir = kNew.dir;
  j.snapshot = "/snap.db";
  j.snapshot_sha256 = "abc";
  j.name = "sim";
  j.peer_urls = {"http://127.0.0.1:1"};
  j.expected_revision = kNew.id.revision;
  j.old_etcd = kOld.id;
  j.new_cluster_id = kNew.id.cluster_id;
  j.new_member_id = kNew.id.member_id;
  j.update_kubeadm_config = layout_ == Layout::kKubeadm;
  return p;
}

std::string SimNode::DefinitionText() const {
  auto t = fsutil::ReadFile(R(layout_ == Layout::kSystemd ? kUnit : std::string(kManifests) + "/etcd.yaml"));
  return t.ok() ? *t : "<missing>";
}

bool SimNode::ControlPlaneInPlace() const {
  if (layout_ == Layout::kSystemd) return true;
  for (const char* m : kControlPlaneManifests) {
    auto t = fsutil::ReadFile(R(absl::StrCat(kManifests, "/", m)));
    if (!t.ok() || *t != "kind: Pod\n") return false;
  }
  return true;
}

std::string SimNode::EtcdDir() const {
  if (layout_ == Layout::kSystemd) return etcd_running_ ? DataLine(loaded_unit_) : "";
  auto t = fsutil::ReadFile(R(std::string(kManifests) + "/etcd.yaml"));
  return t.ok() ? DataLine(*t) : "";
}

const SimIdentity* SimNode::Serving() const {
  std::string dir = EtcdDir();
  for (const SimIdentity* s : {&kOld, &kNew}) {
    if (dir == s->dir && fsutil::PathExists(R(s->dir + "/marker"))) return s;
  }
  return nullptr;
}

bool SimNode::ServesOld() const { return Serving() == &kOld; }
bool SimNode::ServesNew() const { return Serving() == &kNew; }

bool SimNode::ApiServerUp() const {
  if (layout_ == Layout::kSystemd) return Serving() != nullptr;
  return fsutil::PathExists(R(std::string(kManifests) + "/kube-apiserver.yaml")) && Serving() != nullptr;
}

absl::Status SimNode::Systemctl(const std::vector<std::string>& args) {
  std::string cmd = absl::StrJoin(args, " ");
  if (cmd == "daemon-reload") {
    KETCD_ASSIGN_OR_RETURN(loaded_unit_, fsutil::ReadFile(R(kUnit)));
  } else if (cmd == "stop etcd") {
    etcd_running_ = false;
  } else if (cmd == "start --no-block etcd" || cmd == "restart --no-block etcd") {
    etcd_running_ = true;
  } else if (cmd != "restart kubelet") {
    return absl::InvalidArgumentError("unexpected systemctl " + cmd);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SimNode::RestoreData(const restore::RestoreOptions& o) {
  if (o.data_dir != R(kNew.dir)) return absl::InvalidArgumentError("unexpected data dir " + o.data_dir);
  std::string temp = o.data_dir + ".building";
  std::filesystem::remove_all(temp);
  KETCD_RETURN_IF_ERROR(files_->MakeDirs(temp, 0700));
  KETCD_RETURN_IF_ERROR(files_->CreateFile(temp + "/marker", "new", 0600));
  KETCD_RETURN_IF_ERROR(files_->Rename(temp, o.data_dir));
  return std::string("abc");
}

absl::Status SimNode::WaitApiServer(int, bool up, std::chrono::seconds) {
  if (ApiServerUp() == up) return absl::OkStatus();
  return absl::DeadlineExceededError(up ? "the API server does not answer" : "the API server still answers");
}

absl::StatusOr<EtcdState> SimNode::WaitEtcd(const EtcdWant& w, std::chrono::seconds) {
  const SimIdentity* s = Serving();
  if (s == nullptr) return absl::DeadlineExceededError("etcd does not answer");
  const EtcdIdentity& id = s->id;
  bool ok = (w.cluster_id == 0 || id.cluster_id == w.cluster_id) &&
            (w.not_cluster_id == 0 || id.cluster_id != w.not_cluster_id) &&
            (w.member_id == 0 || id.member_id == w.member_id) && id.revision >= w.min_revision;
  if (!ok) return absl::DeadlineExceededError(absl::StrCat("etcd serves ", s->dir, ", not ", DescribeWant(w)));
  return EtcdState{"sim", id.cluster_id, id.member_id, 1, id.revision, "3.6.0"};
}

absl::Status SimNode::SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) {
  if (!ApiServerUp()) return absl::UnavailableError("the API server does not answer");
  if (kubeadm_data_dir_ == to) return absl::OkStatus();
  if (std::find(from.begin(), from.end(), kubeadm_data_dir_) == from.end()) {
    return absl::FailedPreconditionError("kubeadm-config names " + kubeadm_data_dir_);
  }
  kubeadm_data_dir_ = to;
  return absl::OkStatus();
}

// ---- FaultyOps.

absl::Status FaultyOps::Tick(const char* what, absl::Status fault) {
  if (dead_) return absl::AbortedError("killed");
  if (++calls_ != fail_at_) return absl::OkStatus();
  fired_ = true;
  fired_on_ = what;
  if (fault_ == Fault::kKill) {
    dead_ = true;
    return absl::AbortedError(absl::StrCat("killed at ", what));
  }
  return fault;
}

#define KETCD_FAULT(what, status) KETCD_RETURN_IF_ERROR(Tick(what, status))

absl::StatusOr<std::string> FaultyOps::ReadFile(const std::string& path) {
  KETCD_FAULT("read", fsutil::ErrnoError("read", path, EIO));
  return in_.ReadFile(path);
}
absl::StatusOr<std::vector<std::string>> FaultyOps::ListDir(const std::string& dir) {
  KETCD_FAULT("list", fsutil::ErrnoError("list", dir, EIO));
  return in_.ListDir(dir);
}
absl::Status FaultyOps::MakeDir(const std::string& path, unsigned mode) {
  KETCD_FAULT("mkdir", fsutil::ErrnoError("create directory", path, ENOSPC));
  return in_.MakeDir(path, mode);
}
absl::Status FaultyOps::MakeDirs(const std::string& path, unsigned mode) {
  KETCD_FAULT("mkdir -p", fsutil::ErrnoError("create directory", path, ENOSPC));
  return in_.MakeDirs(path, mode);
}
absl::Status FaultyOps::CreateFile(const std::string& path, const std::string& contents, unsigned mode) {
  KETCD_FAULT("create", fsutil::ErrnoError("write", path, ENOSPC));
  return in_.CreateFile(path, contents, mode);
}
absl::Status FaultyOps::SyncFile(const std::string& path) {
  KETCD_FAULT("fsync", fsutil::ErrnoError("fsync", path, EIO));
  return in_.SyncFile(path);
}
absl::Status FaultyOps::Rename(const std::string& from, const std::string& to) {
  KETCD_FAULT("rename", fsutil::ErrnoError("rename", from, EIO));
  return in_.Rename(from, to);
}
absl::Status FaultyOps::Remove(const std::string& path) {
  KETCD_FAULT("remove", fsutil::ErrnoError("remove", path, EIO));
  return in_.Remove(path);
}
absl::Status FaultyOps::SyncDir(const std::string& dir) {
  KETCD_FAULT("fsync dir", fsutil::ErrnoError("fsync", dir, EIO));
  return in_.SyncDir(dir);
}
absl::Status FaultyOps::Systemctl(const std::vector<std::string>& args) {
  KETCD_FAULT("systemctl", absl::FailedPreconditionError("systemctl failed"));
  return in_.Systemctl(args);
}
absl::StatusOr<std::string> FaultyOps::RestoreData(const restore::RestoreOptions& options) {
  KETCD_FAULT("restore", fsutil::ErrnoError("write", options.data_dir, ENOSPC));
  return in_.RestoreData(options);
}
absl::Status FaultyOps::CopyOwner(const std::string& like, const std::string& dir) {
  KETCD_FAULT("chown", fsutil::ErrnoError("chown", dir, EIO));
  return in_.CopyOwner(like, dir);
}
absl::Status FaultyOps::WaitApiServer(int port, bool up, std::chrono::seconds timeout) {
  KETCD_FAULT("wait API server", absl::DeadlineExceededError("the API server did not change in time"));
  return in_.WaitApiServer(port, up, timeout);
}
absl::StatusOr<EtcdState> FaultyOps::WaitEtcd(const EtcdWant& want, std::chrono::seconds timeout) {
  KETCD_FAULT("wait etcd", absl::DeadlineExceededError("etcd did not come in time"));
  return in_.WaitEtcd(want, timeout);
}
absl::Status FaultyOps::WaitPeer(const std::string& peer_url, uint64_t cluster_id, std::chrono::seconds timeout) {
  KETCD_FAULT("wait peer", absl::DeadlineExceededError("the peer did not come in time"));
  return in_.WaitPeer(peer_url, cluster_id, timeout);
}
absl::Status FaultyOps::SetKubeadmDataDir(const std::vector<std::string>& from, const std::string& to) {
  KETCD_FAULT("kubeadm-config", absl::FailedPreconditionError("the ConfigMap changed meanwhile"));
  return in_.SetKubeadmDataDir(from, to);
}

#undef KETCD_FAULT

}  // namespace ketcd::noderestore::testing
