#include "pkg/noderestore/orchestrator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pkg/base/format.h"
#include "pkg/base/interrupt.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/files.h"
#include "pkg/noderestore/kubeadm_config.h"
#include "pkg/noderestore/lock.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/restore/restore.h"

namespace ketcd::noderestore {
namespace {

class Runner {
 public:
  Runner(RunResult* r, const StepFn& fn) : r_(r), fn_(fn) {}
  // Runs one step; records and reports it. Stops at the first failure.
  absl::Status Step(const std::string& name, const std::function<absl::StatusOr<std::string>()>& body) {
    if (Interrupted()) return Record(name, absl::CancelledError("interrupted"), "");
    auto s = body();
    return Record(name, s.status(), s.ok() ? *s : "");
  }
  absl::Status Record(const std::string& name, const absl::Status& s, const std::string& detail) {
    StepResult sr{name, s.ok() ? "ok" : "failed", s.ok() ? detail : std::string(s.message())};
    r_->steps.push_back(sr);
    if (fn_) fn_(sr);
    return s;
  }
  void Note(const std::string& name, const std::string& result, const std::string& detail) {
    StepResult sr{name, result, detail};
    r_->steps.push_back(sr);
    if (fn_) fn_(sr);
  }

 private:
  RunResult* r_;
  const StepFn& fn_;
};

std::string Under(const State& s, const std::string& p) { return discovery::UnderRoot(s.host_root, p); }

// Brings back what State says was changed: the definition file's original, the moved
// manifests (API server first), and etcd on the old data.
void RollBack(const Plan& plan, State& st, bool patched, bool stopped, Runner& run) {
  std::chrono::seconds wait = std::min(plan.opts.wait_timeout, std::chrono::seconds(120));
  std::string def = Under(st, st.definition_file);
  std::string backup = Under(st, st.backup_dir);
  if (patched) {
    auto text = fsutil::ReadFile(Under(st, st.definition_backup));
    absl::Status s = text.status();
    if (s.ok()) s = WriteFileDurably(def, *text, FileMode(def));
    run.Note("roll back " + def, s.ok() ? "rolled back" : "failed",
             s.ok() ? absl::StrCat("original restored (data dir ", st.old_data_dir, ")") : std::string(s.message()));
  }
  if (plan.kind == "systemd" && (patched || stopped)) {
    absl::Status s = RunProgram({"systemctl", "daemon-reload"});
    if (s.ok()) s = RunProgram({"systemctl", "restart", "etcd"});
    run.Note("roll back: systemctl daemon-reload; systemctl restart etcd", s.ok() ? "rolled back" : "failed",
             std::string(s.message()));
  }
  auto etcd = WaitEtcd(plan.opts.connection, plan.old_cluster_id, 0, false, wait, false);
  run.Note("roll back: wait for etcd on the old data", etcd.ok() ? "rolled back" : "failed",
           etcd.ok() ? absl::StrCat(etcd->endpoint, " serves cluster ", IdHex(etcd->cluster_id), " at revision ",
                                    etcd->revision)
                     : std::string(etcd.status().message()));
  std::vector<std::string> moved = st.moved;
  for (const std::string& m : moved) {
    absl::Status s = PutManifestBack(backup, m, Under(st, st.manifests_dir));
    run.Note("roll back: put " + m + " back", s.ok() ? "rolled back" : "failed", std::string(s.message()));
    if (s.ok()) st.moved.erase(std::find(st.moved.begin(), st.moved.end(), m));
  }
  st.phase = "rolled-back";
  (void)SaveState(st);
}

}  // namespace

RunResult Execute(const Plan& plan, std::unique_ptr<Lock> lock, const StepFn& on_step, absl::Status* status) {
  RunResult r;
  Runner run(&r, on_step);
  State& st = r.state;
  st.kind = plan.kind;
  st.phase = "started";
  st.started = plan.timestamp;
  st.host_root = plan.opts.host_root;
  st.backup_dir = plan.backup_dir_raw;
  st.definition_file = plan.definition_file_raw;
  st.definition_backup = fsutil::JoinPath(plan.backup_dir_raw, fsutil::Basename(plan.definition_file_raw));
  st.manifests_dir = plan.kind == "systemd" ? "" : fsutil::Dirname(plan.definition_file_raw);
  st.old_data_dir = plan.old_data_dir_raw;
  st.new_data_dir = plan.new_data_dir_raw;
  st.snapshot = plan.snapshot;
  st.snapshot_sha256 = plan.snapshot_sha256;
  st.cluster_token = plan.cluster_token;
  st.old_cluster_id = plan.old_cluster_id;
  st.new_cluster_id = plan.new_cluster_id;

  *status = run.Step("lock", [&]() -> absl::StatusOr<std::string> {
    if (lock == nullptr) {
      KETCD_ASSIGN_OR_RETURN(lock, Lock::Acquire(plan.backup_base));
    }
    return lock->path();
  });
  if (!status->ok()) return r;
  *status = run.Step("back up " + plan.definition_file, [&]() -> absl::StatusOr<std::string> {
    KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(plan.backup_dir, 0700));
    std::string to = Under(st, st.definition_backup);
    KETCD_RETURN_IF_ERROR(CopyFileDurably(plan.definition_file, to));
    KETCD_RETURN_IF_ERROR(SaveState(st));
    return to;
  });
  if (!status->ok()) return r;

  if (plan.kind == "rke2") {
    std::string restore_path = plan.snapshot;
    r.advice.push_back("RKE2 rewrites etcd.yaml and its config on every start, so patching them does not last. "
                       "Use RKE2's own procedure:");
    r.advice.push_back("  on every server:   systemctl stop rke2-server");
    r.advice.push_back(absl::StrCat("  on this server:    rke2 server --cluster-reset --cluster-reset-restore-path=",
                                    restore_path));
    r.advice.push_back("                     systemctl start rke2-server");
    r.advice.push_back("  on the others:     rm -rf /var/lib/rancher/rke2/server/db; systemctl start rke2-server");
    run.Note("restore", "skipped", "RKE2: follow the procedure below");
    st.phase = "done";
    (void)SaveState(st);
    return r;
  }

  bool stopped = false, patched = false;
  auto fail = [&](absl::Status s) {
    RollBack(plan, st, patched, stopped, run);
    r.rolled_back = true;
    *status = absl::Status(s.code(), absl::StrCat(s.message(), " (rolled back: the original ",
                                                  fsutil::Basename(plan.definition_file),
                                                  " and control plane are in place again, etcd uses ",
                                                  plan.old_data_dir, ")"));
  };

  // Stop what writes to etcd.
  if (plan.kind == "systemd") {
    stopped = true;
    if (absl::Status s = run.Step("systemctl stop etcd", [&]() -> absl::StatusOr<std::string> {
          KETCD_RETURN_IF_ERROR(RunProgram({"systemctl", "stop", "etcd"}));
          return "";
        }); !s.ok()) {
      fail(s);
      return r;
    }
  } else {
    for (const std::string& m : plan.control_plane) {
      stopped = true;
      if (absl::Status s = run.Step("move " + m + " out", [&]() -> absl::StatusOr<std::string> {
            KETCD_RETURN_IF_ERROR(MoveManifestOut(plan.manifests_dir, m, plan.backup_dir));
            st.moved.push_back(m);
            KETCD_RETURN_IF_ERROR(SaveState(st));
            return fsutil::JoinPath(plan.backup_dir, m);
          }); !s.ok()) {
        fail(s);
        return r;
      }
    }
    if (!plan.control_plane.empty()) {
      if (absl::Status s = run.Step("wait for the API server to stop", [&]() -> absl::StatusOr<std::string> {
            KETCD_RETURN_IF_ERROR(WaitApiServer(plan.apiserver_port, false, plan.opts.wait_timeout));
            return absl::StrCat("port ", plan.apiserver_port, " no longer answers");
          }); !s.ok()) {
        fail(s);
        return r;
      }
    }
  }

  // Restore into the new dir.
  if (absl::Status s = run.Step("restore into " + plan.new_data_dir, [&]() -> absl::StatusOr<std::string> {
        restore::RestoreOptions ro;
        ro.snapshot_path = plan.snapshot;
        ro.data_dir = plan.new_data_dir;
        ro.name = plan.name;
        ro.initial_cluster = plan.initial_cluster;
        ro.initial_cluster_token = plan.cluster_token;
        ro.initial_advertise_peer_urls = absl::StrJoin(plan.peer_urls, ",");
        ro.skip_hash_check = plan.opts.skip_hash_check;
        ro.bump_revision = plan.bump_revision;
        ro.mark_compacted = plan.bump_revision > 0;
        KETCD_ASSIGN_OR_RETURN(restore::RestoreResult rr, restore::Restore(ro));
        KETCD_RETURN_IF_ERROR(CopyOwnerAndLabel(plan.old_data_dir, plan.new_data_dir));
        if (!fsutil::PathExists(rr.db_path)) return absl::InternalError(absl::StrCat(rr.db_path, " missing"));
        return absl::StrCat("member ", IdHex(rr.plan.local_id), " of cluster ", IdHex(rr.plan.cluster_id),
                            ", revision ", rr.bumped_revision ? rr.bumped_revision : rr.revision);
      }); !s.ok()) {
    fail(s);
    return r;
  }

  // Point etcd at it.
  if (absl::Status s = run.Step("patch " + plan.definition_file, [&]() -> absl::StatusOr<std::string> {
        patched = true;
        KETCD_RETURN_IF_ERROR(WriteFileDurably(plan.definition_file, plan.patched_text, FileMode(plan.definition_file)));
        KETCD_ASSIGN_OR_RETURN(std::string back, fsutil::ReadFile(plan.definition_file));
        if (back != plan.patched_text) return absl::DataLossError("the written file reads back differently");
        st.phase = "patched";
        KETCD_RETURN_IF_ERROR(SaveState(st));
        return absl::StrCat(plan.data_dir_key, ": ", plan.new_data_dir_raw);
      }); !s.ok()) {
    fail(s);
    return r;
  }
  if (plan.kind == "systemd") {
    if (absl::Status s = run.Step("systemctl daemon-reload; systemctl restart etcd", [&]() -> absl::StatusOr<std::string> {
          KETCD_RETURN_IF_ERROR(RunProgram({"systemctl", "daemon-reload"}));
          KETCD_RETURN_IF_ERROR(RunProgram({"systemctl", "restart", "etcd"}));
          return "";
        }); !s.ok()) {
      fail(s);
      return r;
    }
  }
  bool has_leader = false;
  if (absl::Status s = run.Step("wait for etcd on the restored data", [&]() -> absl::StatusOr<std::string> {
        if (!plan.quorum_after) {
          // Too few members restored for a leader: the client port stays closed until
          // then, the peer port tells which cluster this member runs.
          KETCD_RETURN_IF_ERROR(WaitPeer(plan.peer_urls[0], plan.opts.connection.tls, plan.new_cluster_id,
                                         plan.opts.wait_timeout));
          return absl::StrCat(plan.peer_urls[0], " runs cluster ", IdHex(plan.new_cluster_id),
                              "; it serves once ", plan.members.size() / 2 + 1, " members are restored");
        }
        KETCD_ASSIGN_OR_RETURN(EtcdState e, WaitEtcd(plan.opts.connection, plan.new_cluster_id, plan.expected_revision,
                                                     true, plan.opts.wait_timeout));
        has_leader = true;
        return absl::StrCat(e.endpoint, " serves cluster ", IdHex(e.cluster_id), " at revision ", e.revision);
      }); !s.ok()) {
    fail(s);
    return r;
  }
  st.phase = "restored";
  (void)SaveState(st);

  // Bring the control plane back, API server first.
  for (const char* m : kControlPlaneManifests) {
    if (std::find(st.moved.begin(), st.moved.end(), m) == st.moved.end()) continue;
    if (absl::Status s = run.Step(absl::StrCat("put ", m, " back"), [&]() -> absl::StatusOr<std::string> {
          KETCD_RETURN_IF_ERROR(PutManifestBack(plan.backup_dir, m, plan.manifests_dir));
          st.moved.erase(std::find(st.moved.begin(), st.moved.end(), m));
          KETCD_RETURN_IF_ERROR(SaveState(st));
          return fsutil::JoinPath(plan.manifests_dir, m);
        }); !s.ok()) {
      fail(s);
      return r;
    }
  }
  bool apiserver = std::find(plan.control_plane.begin(), plan.control_plane.end(), "kube-apiserver.yaml") !=
                   plan.control_plane.end();
  if (apiserver && has_leader) {
    if (absl::Status s = run.Step("wait for the API server", [&]() -> absl::StatusOr<std::string> {
          KETCD_RETURN_IF_ERROR(WaitApiServer(plan.apiserver_port, true, plan.opts.wait_timeout));
          return absl::StrCat("port ", plan.apiserver_port, " answers");
        }); !s.ok()) {
      fail(s);
      return r;
    }
  } else if (apiserver) {
    run.Note("wait for the API server", "skipped", "etcd has no quorum yet; it starts once enough members are restored");
  }
  st.phase = "done";
  (void)SaveState(st);

  // Follow-ups that do not undo the restore when they fail.
  if (plan.kind == "kubeadm" && plan.opts.kubeadm_config) {
    absl::Status s;
    std::string old;
    if (!has_leader) {
      s = absl::UnavailableError("the API server cannot serve before etcd has quorum");
    } else {
      auto cfg = NodeKubeconfig(plan.opts.host_root, plan.opts.kubeconfig);
      s = cfg.status();
      if (cfg.ok()) {
        auto prev = UpdateKubeadmConfig(*cfg, plan.new_data_dir_raw);
        s = prev.status();
        if (prev.ok()) old = *prev;
      }
    }
    if (s.ok()) {
      st.kubeadm_config_updated = true;
      (void)SaveState(st);
      run.Note("update kubeadm-config", "ok", absl::StrCat("etcd.local.dataDir: ", old, " -> ", plan.new_data_dir_raw));
    } else {
      run.Note("update kubeadm-config", "warning", std::string(s.message()));
      r.advice.push_back(absl::StrCat("Update kubeadm's record of the data dir by hand: ",
                                      KubeadmConfigHint(plan.new_data_dir_raw)));
    }
  }
  if (plan.opts.restart_kubelet) {
    absl::Status s = RunProgram({"systemctl", "restart", "kubelet"});
    run.Note("systemctl restart kubelet", s.ok() ? "ok" : "warning", std::string(s.message()));
  }
  r.advice.push_back(absl::StrCat(
      "Restart the kubelet on every node (systemctl restart kubelet) so that none keeps state newer than the "
      "snapshot", plan.opts.restart_kubelet ? "; done here." : "."));
  r.advice.push_back(absl::StrCat("The old data is still in ", plan.old_data_dir,
                                  "; `kubectl etcd restore --undo` goes back to it."));
  *status = absl::OkStatus();
  return r;
}

nlohmann::ordered_json RunJson(const RunResult& r, const absl::Status& status) {
  nlohmann::ordered_json j;
  j["ok"] = status.ok();
  if (!status.ok()) j["error"] = std::string(status.message());
  j["rolledBack"] = r.rolled_back;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const auto& s : r.steps) steps.push_back({{"step", s.name}, {"result", s.result}, {"detail", s.detail}});
  j["steps"] = steps;
  j["backupDir"] = Under(r.state, r.state.backup_dir);
  j["newDataDir"] = r.state.new_data_dir;
  j["oldDataDir"] = r.state.old_data_dir;
  j["phase"] = r.state.phase;
  j["advice"] = r.advice;
  return j;
}

}  // namespace ketcd::noderestore
