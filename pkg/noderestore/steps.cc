#include "pkg/noderestore/steps.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/format.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/kubeadm_config.h"

namespace ketcd::noderestore {

std::string RunContext::Host(const std::string& path) const { return discovery::UnderRoot(host_root, path); }

namespace {

constexpr char kApiServer[] = "kube-apiserver.yaml";

bool StaticPods(const Journal& j) { return j.layout == Layout::kKubeadm || j.layout == Layout::kStaticPod; }
bool Systemd(const Journal& j) { return j.layout == Layout::kSystemd; }
bool NotRke2(const Journal& j) { return j.layout != Layout::kRke2; }
bool HasApiServer(const Journal& j) {
  return std::find(j.control_plane.begin(), j.control_plane.end(), kApiServer) != j.control_plane.end();
}
bool StopsControlPlane(const Journal& j) { return StaticPods(j) && !j.control_plane.empty(); }
bool WaitsApiServerDown(const Journal& j) { return StaticPods(j) && HasApiServer(j); }
// Before a quorum of members is restored etcd has no leader, so the API server cannot serve.
bool WaitsApiServerUp(const Journal& j) { return WaitsApiServerDown(j) && j.quorum_after; }
bool UpdatesKubeadmConfig(const Journal& j) {
  return j.layout == Layout::kKubeadm && j.update_kubeadm_config && j.quorum_after;
}
bool RestartsKubelet(const Journal& j) { return j.restart_kubelet && NotRke2(j); }

std::string DataDirs(const Journal& j) {
  std::string s = j.new_data_dir;
  if (!j.new_wal_dir.empty()) absl::StrAppend(&s, " (WAL in ", j.new_wal_dir, ")");
  return s;
}

// ---- Control-plane manifests: a copy in the backup dir is written durably before the
// manifest leaves the kubelet's dir, so that at every instant one of the two exists.

absl::Status MoveOut(RunContext& c, const std::string& name) {
  std::string from = c.Host(fsutil::JoinPath(c.journal.manifests_dir, name));
  std::string to = c.Host(fsutil::JoinPath(c.journal.backup_dir, name));
  if (!c.ops.Exists(from)) return absl::OkStatus();  // moved out already
  KETCD_ASSIGN_OR_RETURN(std::string text, c.ops.ReadFile(from));
  KETCD_RETURN_IF_ERROR(WriteDurably(c.ops, to, text, c.ops.Mode(from)));
  return RemoveDurably(c.ops, from);
}

absl::Status PutBack(RunContext& c, const std::string& name) {
  std::string to = c.Host(fsutil::JoinPath(c.journal.manifests_dir, name));
  std::string from = c.Host(fsutil::JoinPath(c.journal.backup_dir, name));
  if (c.ops.Exists(to)) return absl::OkStatus();  // back already
  if (!c.ops.Exists(from)) {
    return absl::DataLossError(absl::StrCat(name, " is neither in ", c.Host(c.journal.manifests_dir), " nor in ",
                                            c.Host(c.journal.backup_dir)));
  }
  KETCD_ASSIGN_OR_RETURN(std::string text, c.ops.ReadFile(from));
  return WriteDurably(c.ops, to, text, c.ops.Mode(from));
}

absl::StatusOr<std::string> StopControlPlane(RunContext& c) {
  for (const std::string& m : c.journal.control_plane) KETCD_RETURN_IF_ERROR(MoveOut(c, m));
  return absl::StrCat(absl::StrJoin(c.journal.control_plane, ", "), " in ", c.Host(c.journal.backup_dir));
}

absl::StatusOr<std::string> StartControlPlane(RunContext& c) {
  // API server first: the others need it.
  for (const std::string& m : c.journal.control_plane) KETCD_RETURN_IF_ERROR(PutBack(c, m));
  return absl::StrCat(absl::StrJoin(c.journal.control_plane, ", "), " in ", c.Host(c.journal.manifests_dir));
}

absl::StatusOr<std::string> WaitApiServerUp(RunContext& c) {
  KETCD_RETURN_IF_ERROR(c.ops.WaitApiServer(c.journal.apiserver_port, true, c.wait_timeout));
  return absl::StrCat("port ", c.journal.apiserver_port, " answers");
}

absl::StatusOr<std::string> WaitApiServerDown(RunContext& c) {
  KETCD_RETURN_IF_ERROR(c.ops.WaitApiServer(c.journal.apiserver_port, false, c.wait_timeout));
  return absl::StrCat("port ", c.journal.apiserver_port, " no longer answers");
}

// Undo of stopping the control plane: back in place, and serving when etcd has a quorum.
absl::StatusOr<std::string> UndoStopControlPlane(RunContext& c) {
  KETCD_ASSIGN_OR_RETURN(std::string where, StartControlPlane(c));
  if (!HasApiServer(c.journal)) return where;
  KETCD_ASSIGN_OR_RETURN(std::string up, WaitApiServerUp(c));
  return absl::StrCat(where, "; ", up);
}

// Undo of starting it again: stopped, as before etcd changed data.
absl::StatusOr<std::string> UndoStartControlPlane(RunContext& c) {
  KETCD_ASSIGN_OR_RETURN(std::string where, StopControlPlane(c));
  if (!HasApiServer(c.journal)) return where;
  KETCD_ASSIGN_OR_RETURN(std::string down, WaitApiServerDown(c));
  return absl::StrCat(where, "; ", down);
}

// ---- etcd.

// What proves that etcd serves the old data again: its cluster and member IDs and at
// least its revision when etcd answered at plan time; otherwise not the restored cluster.
EtcdWant OldEtcd(const Journal& j) {
  EtcdWant w;
  w.cluster_id = j.old_etcd.cluster_id;
  w.member_id = j.old_etcd.member_id;
  w.min_revision = j.old_etcd.revision;
  if (w.cluster_id == 0) w.not_cluster_id = j.new_cluster_id;
  return w;
}

absl::StatusOr<std::string> WaitOldEtcd(RunContext& c) {
  KETCD_ASSIGN_OR_RETURN(EtcdState e, c.ops.WaitEtcd(OldEtcd(c.journal), c.wait_timeout));
  return absl::StrCat(e.endpoint, " serves cluster ", IdHex(e.cluster_id), " at revision ", e.revision);
}

absl::Status RestartEtcdUnit(RunContext& c) {
  // `Type=notify` units block `systemctl restart` until etcd is ready, which for the first
  // restored member of several is only once others are: start without blocking, then
  // wait on etcd itself.
  KETCD_RETURN_IF_ERROR(c.ops.Systemctl({"daemon-reload"}));
  return c.ops.Systemctl({"restart", "--no-block", "etcd"});
}

absl::StatusOr<std::string> StopEtcd(RunContext& c) {
  KETCD_RETURN_IF_ERROR(c.ops.Systemctl({"stop", "etcd"}));
  return std::string();
}

absl::StatusOr<std::string> UndoStopEtcd(RunContext& c) {
  KETCD_RETURN_IF_ERROR(c.ops.Systemctl({"daemon-reload"}));
  KETCD_RETURN_IF_ERROR(c.ops.Systemctl({"start", "--no-block", "etcd"}));
  return WaitOldEtcd(c);
}

absl::StatusOr<std::string> RestoreData(RunContext& c) {
  const Journal& j = c.journal;
  std::string data = c.Host(j.new_data_dir), wal = j.new_wal_dir.empty() ? "" : c.Host(j.new_wal_dir);
  bool have_data = c.ops.Exists(data), have_wal = wal.empty() ? have_data : c.ops.Exists(wal);
  std::string detail = "restored earlier in this run";
  if (have_data != have_wal) {
    return absl::FailedPreconditionError(absl::StrCat("only one of ", data, " and ", wal,
                                                      " exists: remove it and run again"));
  }
  if (!have_data) {
    restore::RestoreOptions ro;
    ro.snapshot_path = j.snapshot;
    ro.data_dir = data;
    ro.wal_dir = wal;
    ro.name = j.name;
    ro.initial_cluster = j.initial_cluster;
    ro.initial_cluster_token = j.cluster_token;
    ro.initial_advertise_peer_urls = absl::StrJoin(j.peer_urls, ",");
    ro.skip_hash_check = j.skip_hash_check;
    ro.bump_revision = j.bump_revision;
    ro.mark_compacted = j.bump_revision > 0;
    KETCD_ASSIGN_OR_RETURN(std::string sha256, c.ops.RestoreData(ro));
    if (!j.snapshot_sha256.empty() && !sha256.empty() && sha256 != j.snapshot_sha256) {
      return absl::DataLossError(absl::StrCat(j.snapshot, " changed since the run was planned (sha256 ", sha256,
                                              ", planned ", j.snapshot_sha256, ")"));
    }
    detail = absl::StrCat("member ", IdHex(j.new_member_id), " of cluster ", IdHex(j.new_cluster_id), ", revision ",
                          j.expected_revision);
  }
  KETCD_RETURN_IF_ERROR(c.ops.CopyOwner(c.Host(j.old_data_dir), data));
  if (!wal.empty()) {
    KETCD_RETURN_IF_ERROR(c.ops.CopyOwner(c.Host(j.old_wal_dir.empty() ? j.old_data_dir : j.old_wal_dir), wal));
  }
  return detail;
}

absl::StatusOr<std::string> WriteDefinition(RunContext& c, const std::string& copy) {
  std::string def = c.Host(c.journal.definition_file);
  KETCD_ASSIGN_OR_RETURN(std::string text, c.ops.ReadFile(c.Host(copy)));
  KETCD_RETURN_IF_ERROR(WriteDurably(c.ops, def, text, c.ops.Mode(def)));
  KETCD_ASSIGN_OR_RETURN(std::string back, c.ops.ReadFile(def));
  if (back != text) return absl::DataLossError(absl::StrCat(def, " reads back differently"));
  return def;
}

absl::StatusOr<std::string> PatchDefinition(RunContext& c) {
  KETCD_RETURN_IF_ERROR(WriteDefinition(c, c.journal.definition_patched).status());
  return absl::StrCat(c.journal.data_dir_setting, ": ", c.journal.new_data_dir);
}

absl::StatusOr<std::string> UndoPatchDefinition(RunContext& c) {
  KETCD_RETURN_IF_ERROR(WriteDefinition(c, c.journal.definition_original).status());
  if (Systemd(c.journal)) KETCD_RETURN_IF_ERROR(RestartEtcdUnit(c));
  return WaitOldEtcd(c);
}

absl::StatusOr<std::string> StartEtcd(RunContext& c) {
  KETCD_RETURN_IF_ERROR(RestartEtcdUnit(c));
  return std::string();
}

absl::StatusOr<std::string> WaitNewEtcd(RunContext& c) {
  Journal& j = c.journal;
  EtcdWant w;
  w.cluster_id = j.new_cluster_id;
  w.member_id = j.new_member_id;
  w.min_revision = j.expected_revision;
  w.need_leader = true;
  if (!j.quorum_after) {
    // Too few members were restored at plan time for a leader: the client port stays
    // closed until then, the peer port tells which cluster this member runs.
    KETCD_RETURN_IF_ERROR(c.ops.WaitPeer(j.peer_urls.at(0), j.new_cluster_id, c.wait_timeout));
    // Members restored at the same time on other nodes may complete a quorum now: then the
    // API server and kubeadm-config are this run's to bring back too.
    auto served = c.ops.WaitEtcd(w, std::min(c.wait_timeout, std::chrono::seconds(20)));
    if (!served.ok()) {
      return absl::StrCat(j.peer_urls[0], " runs cluster ", IdHex(j.new_cluster_id), "; it serves once ",
                          j.members / 2 + 1, " members are restored (the API server starts then)");
    }
    j.quorum_after = true;
    return absl::StrCat(served->endpoint, " serves cluster ", IdHex(served->cluster_id), " at revision ",
                        served->revision, " (the other members are restored too)");
  }
  KETCD_ASSIGN_OR_RETURN(EtcdState e, c.ops.WaitEtcd(w, c.wait_timeout));
  return absl::StrCat(e.endpoint, " serves cluster ", IdHex(e.cluster_id), " at revision ", e.revision);
}

// ---- Follow-ups.

absl::StatusOr<std::string> UpdateKubeadmConfig(RunContext& c) {
  Journal& j = c.journal;
  absl::Status s = c.ops.SetKubeadmDataDir({j.old_data_dir}, j.new_data_dir);
  if (!s.ok()) {
    c.advice.push_back(absl::StrCat("Update kubeadm's record of the data dir by hand: ",
                                    KubeadmConfigHint(j.new_data_dir)));
    return s;
  }
  j.kubeadm_config_updated = true;
  return absl::StrCat("etcd.local.dataDir: ", j.new_data_dir);
}

absl::StatusOr<std::string> UndoKubeadmConfig(RunContext& c) {
  // Run whether or not the journal says it was changed: a kill can fall between the change
  // and the journal's next write. Setting the old value again changes nothing.
  Journal& j = c.journal;
  absl::Status s;
  // The API server may be starting again: retry while it does not answer.
  auto deadline = std::chrono::steady_clock::now() + std::min(c.wait_timeout, std::chrono::seconds(30));
  while (true) {
    s = c.ops.SetKubeadmDataDir({j.new_data_dir}, j.old_data_dir);
    if (!absl::IsUnavailable(s) || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (!s.ok()) {
    c.advice.push_back(KubeadmConfigHint(j.old_data_dir));
    return s;
  }
  j.kubeadm_config_updated = false;
  return absl::StrCat("etcd.local.dataDir: ", j.old_data_dir);
}

absl::StatusOr<std::string> RestartKubelet(RunContext& c) {
  KETCD_RETURN_IF_ERROR(c.ops.Systemctl({"restart", "kubelet"}));
  return std::string();
}

// ---- The table.

const StepDef kSteps[] = {
    {"stop-etcd", StepKind::kChange, Systemd, [](const Journal&) { return std::string("systemctl stop etcd"); },
     StopEtcd, [](const Journal&) { return std::string("systemctl start etcd on the old data"); }, UndoStopEtcd},
    {"stop-control-plane", StepKind::kChange, StopsControlPlane,
     [](const Journal& j) {
       return absl::StrCat("move ", absl::StrJoin(j.control_plane, ", "), " out of ", j.manifests_dir, " into ",
                           j.backup_dir);
     },
     StopControlPlane,
     [](const Journal& j) {
       return absl::StrCat("put ", absl::StrJoin(j.control_plane, ", "), " back",
                           HasApiServer(j) ? " and wait for the API server" : "");
     },
     UndoStopControlPlane},
    {"wait-apiserver-stopped", StepKind::kChange, WaitsApiServerDown,
     [](const Journal& j) {
       return absl::StrCat("wait until the API server stops answering on port ", j.apiserver_port);
     },
     WaitApiServerDown, nullptr, nullptr},
    {"restore-data", StepKind::kChange, NotRke2,
     [](const Journal& j) {
       return absl::StrCat("restore the snapshot into ", DataDirs(j), " (owner and SELinux label of ",
                           j.old_data_dir, ", mode 0700)");
     },
     RestoreData, nullptr, nullptr},
    {"patch-definition", StepKind::kChange, NotRke2,
     [](const Journal& j) {
       return absl::StrCat("point ", j.data_dir_setting, " in ", j.definition_file, " at ", j.new_data_dir);
     },
     PatchDefinition,
     [](const Journal& j) {
       return absl::StrCat("put the original ", j.definition_file, " back and wait for etcd on ", j.old_data_dir);
     },
     UndoPatchDefinition},
    {"start-etcd", StepKind::kChange, Systemd,
     [](const Journal&) { return std::string("systemctl daemon-reload; systemctl restart --no-block etcd"); },
     StartEtcd, nullptr, nullptr},
    {"wait-etcd", StepKind::kChange, NotRke2,
     [](const Journal& j) {
       return j.quorum_after ? absl::StrCat("wait until etcd serves cluster ", IdHex(j.new_cluster_id),
                                            " at revision >= ", j.expected_revision)
                             : absl::StrCat("wait until this member runs cluster ", IdHex(j.new_cluster_id),
                                            " (its peer port; it serves once a quorum is restored)");
     },
     WaitNewEtcd, nullptr, nullptr},
    {"start-control-plane", StepKind::kChange, StopsControlPlane,
     [](const Journal& j) { return absl::StrCat("put ", absl::StrJoin(j.control_plane, ", "), " back"); },
     StartControlPlane,
     [](const Journal& j) { return absl::StrCat("move ", absl::StrJoin(j.control_plane, ", "), " out again"); },
     UndoStartControlPlane},
    {"wait-apiserver", StepKind::kChange, WaitsApiServerUp,
     [](const Journal&) { return std::string("wait until the API server answers"); }, WaitApiServerUp, nullptr,
     nullptr},
    {"update-kubeadm-config", StepKind::kFollowUp, UpdatesKubeadmConfig,
     [](const Journal& j) {
       return absl::StrCat("set etcd.local.dataDir in ConfigMap kube-system/kubeadm-config to ", j.new_data_dir);
     },
     UpdateKubeadmConfig,
     [](const Journal& j) {
       return absl::StrCat("set etcd.local.dataDir in kubeadm-config back to ", j.old_data_dir);
     },
     UndoKubeadmConfig},
    {"restart-kubelet", StepKind::kFollowUp, RestartsKubelet,
     [](const Journal&) { return std::string("systemctl restart kubelet"); }, RestartKubelet, nullptr, nullptr},
};

}  // namespace

std::span<const StepDef> Steps() { return kSteps; }

int StepIndex(const std::string& key) {
  for (size_t i = 0; i < std::size(kSteps); i++) {
    if (key == kSteps[i].key) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> PlanSteps(const Journal& journal) {
  std::vector<std::string> lines;
  for (const StepDef& s : kSteps) {
    if (s.applies(journal)) lines.push_back(s.describe(journal));
  }
  return lines;
}

}  // namespace ketcd::noderestore
