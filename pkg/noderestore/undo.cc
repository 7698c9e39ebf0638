// kubectl etcd restore --undo: back to the definition file from before the restore.
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "pkg/base/format.h"
#include "pkg/base/interrupt.h"
#include "pkg/discovery/discovery.h"
#include "pkg/fsutil/file.h"
#include "pkg/noderestore/files.h"
#include "pkg/noderestore/kubeadm_config.h"
#include "pkg/noderestore/lock.h"
#include "pkg/noderestore/node_ops.h"
#include "pkg/noderestore/orchestrator.h"

namespace ketcd::noderestore {

RunResult Undo(const UndoOptions& o, const StepFn& on_step, absl::Status* status) {
  RunResult r;
  auto note = [&](const std::string& name, const absl::Status& s, const std::string& detail) {
    StepResult sr{name, s.ok() ? "ok" : "failed", s.ok() ? detail : std::string(s.message())};
    r.steps.push_back(sr);
    if (on_step) on_step(sr);
    return s;
  };
  std::string base = discovery::UnderRoot(o.host_root, o.backup_base);
  auto lock = Lock::Acquire(base);
  if (!note("lock", lock.status(), lock.ok() ? (*lock)->path() : "").ok()) {
    *status = lock.status();
    return r;
  }
  std::string file = o.state_file;
  if (file.empty()) {
    auto latest = LatestStateFile(base);
    if (!latest.ok()) {
      *status = note("find the last restore", latest.status(), "");
      return r;
    }
    file = *latest;
  }
  auto loaded = LoadState(file);
  if (!note("read " + file, loaded.status(), "").ok()) {
    *status = loaded.status();
    return r;
  }
  State& st = r.state;
  st = *loaded;
  st.host_root = o.host_root;  // the same files, wherever the root is mounted now
  auto under = [&](const std::string& p) { return discovery::UnderRoot(st.host_root, p); };
  std::string def = under(st.definition_file);
  std::string backup = under(st.backup_dir);
  std::string manifests = under(st.manifests_dir);
  const char* kOrder[] = {"kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml"};

  // Stop the control plane again, as for the restore.
  std::vector<std::string> moved;
  if (st.kind != "systemd") {
    for (const char* m : kOrder) {
      if (!fsutil::PathExists(fsutil::JoinPath(manifests, m))) continue;
      std::string saved = fsutil::JoinPath(backup, absl::StrCat("undo-", m));
      // The restore's copy of the manifest stays; the undo keeps its own copy.
      auto text = fsutil::ReadFile(fsutil::JoinPath(manifests, m));
      absl::Status s = text.status();
      if (s.ok()) s = WriteFileDurably(saved, *text, FileMode(fsutil::JoinPath(manifests, m)));
      if (s.ok()) s = RemoveFileDurably(fsutil::JoinPath(manifests, m));
      if (!note(absl::StrCat("move ", m, " out"), s, saved).ok()) {
        *status = s;
        return r;
      }
      moved.push_back(m);
    }
  }
  auto put_back = [&]() {
    for (const std::string& m : moved) {
      auto text = fsutil::ReadFile(fsutil::JoinPath(backup, "undo-" + m));
      absl::Status s = text.status();
      if (s.ok()) s = WriteFileDurably(fsutil::JoinPath(manifests, m), *text, 0600);
      note(absl::StrCat("put ", m, " back"), s, "").IgnoreError();  // recorded in the steps
    }
  };
  if (st.kind == "systemd") {
    note("systemctl stop etcd", RunProgram({"systemctl", "stop", "etcd"}), "").IgnoreError();
  }
  auto original = fsutil::ReadFile(under(st.definition_backup));
  absl::Status s = original.status();
  if (s.ok()) s = WriteFileDurably(def, *original, FileMode(def));
  if (!note("put the original " + def + " back", s, absl::StrCat("data dir ", st.old_data_dir)).ok()) {
    put_back();
    *status = s;
    return r;
  }
  if (st.kind == "systemd") {
    absl::Status sc = RunProgram({"systemctl", "daemon-reload"});
    if (sc.ok()) sc = RunProgram({"systemctl", "restart", "etcd"});
    note("systemctl daemon-reload; systemctl restart etcd", sc, "").IgnoreError();
  }
  // Until the kubelet (or systemd) has switched, the restored etcd still answers: wait for
  // the old cluster's ID (or, if it was not recorded, any other than the restored one).
  absl::StatusOr<EtcdState> e = absl::DeadlineExceededError("etcd did not come back on the old data");
  if (st.old_cluster_id != 0) {
    e = WaitEtcd(o.connection, st.old_cluster_id, 0, false, o.wait_timeout);
  } else {
    auto deadline = std::chrono::steady_clock::now() + o.wait_timeout;
    while (std::chrono::steady_clock::now() < deadline && !Interrupted()) {
      auto now = EtcdStatus(o.connection, std::chrono::milliseconds(1000));
      if (now.ok() && now->cluster_id != st.new_cluster_id) {
        e = now;
        break;
      }
      ::usleep(200000);
    }
  }
  note("wait for etcd on the old data", e.status(),
       e.ok() ? absl::StrCat(e->endpoint, " serves cluster ", IdHex(e->cluster_id), " at revision ", e->revision) : "")
      .IgnoreError();
  put_back();
  if (st.kind == "kubeadm" && st.kubeadm_config_updated && o.kubeadm_config) {
    auto cfg = NodeKubeconfig(o.host_root, o.kubeconfig);
    absl::Status ks = cfg.status();
    // The API server is starting again: retry while it does not answer.
    for (int i = 0; cfg.ok() && i < 30; i++) {
      ks = UpdateKubeadmConfig(*cfg, st.old_data_dir).status();
      if (ks.code() != absl::StatusCode::kUnavailable) break;
      ::sleep(1);
    }
    StepResult sr{"update kubeadm-config", ks.ok() ? "ok" : "warning", ks.ok() ? st.old_data_dir : std::string(ks.message())};
    r.steps.push_back(sr);
    if (on_step) on_step(sr);
    if (!ks.ok()) r.advice.push_back(KubeadmConfigHint(st.old_data_dir));
  }
  st.phase = "undone";
  (void)SaveState(st);
  r.advice.push_back(absl::StrCat("The restored data stays in ", st.new_data_dir, "; remove it when no longer needed."));
  *status = e.ok() ? absl::OkStatus() : e.status();
  return r;
}

}  // namespace ketcd::noderestore
