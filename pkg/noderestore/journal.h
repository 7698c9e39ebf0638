#pragma once
// The journal of one node restore: "<backup base>/<run id>/state.json", rewritten durably
// (temporary, fsync, rename, directory fsync) before every step acts, so that a run killed
// at any instant can be finished (`--resume`) or rolled back (`--undo`) from it alone. It
// holds everything the steps need: the files and dirs involved, the restore's parameters,
// and what identifies the old and the new etcd. Layout of the file: README.md beside this.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

class NodeOps;

// How etcd runs on the node.
enum class Layout { kKubeadm, kStaticPod, kSystemd, kRke2 };
const char* LayoutName(Layout layout);  // "kubeadm", "static-pod", "systemd", "rke2"
absl::StatusOr<Layout> ParseLayout(const std::string& name);

// Where a run stands. kRunning: `step` is the step in progress (recorded before it acts).
// kRollingBack / kUndoing: `undo_next` is the next step whose undo action runs.
enum class Phase { kRunning, kDone, kRollingBack, kRolledBack, kUndoing, kUndone };
const char* PhaseName(Phase phase);  // "running", "done", "rolling-back", ...
absl::StatusOr<Phase> ParsePhase(const std::string& name);
// A run that is neither finished nor returned: `--resume` or `--undo` must deal with it first.
bool Unfinished(Phase phase);

// What identifies the etcd serving a data dir.
struct EtcdIdentity {
  uint64_t cluster_id = 0;  // 0: unknown (etcd did not answer when the run was planned)
  uint64_t member_id = 0;
  int64_t revision = 0;
};

// The identities as the journal and the plan write them: oldClusterID and oldMemberID
// ("" when unknown), oldRevision, newClusterID, newMemberID.
void PutIdentities(const EtcdIdentity& old_etcd, uint64_t new_cluster_id, uint64_t new_member_id,
                   nlohmann::ordered_json* o);

struct Journal {
  std::string run_id;  // UTC "20260102T030405Z", also the backup dir's name
  Layout layout = Layout::kKubeadm;
  Phase phase = Phase::kRunning;
  std::string step;    // key of the step in progress (kRunning)
  int undo_next = -1;  // index in the step table (kRollingBack, kUndoing)
  std::string error;   // why the run rolled back

  // Host paths without the host root.
  std::string backup_dir;
  std::string definition_file;      // the manifest, unit, environment or config file patched
  std::string definition_original;  // its copy from before the run, in backup_dir
  std::string definition_patched;   // the patched version, in backup_dir
  std::string data_dir_setting;     // what is patched ("hostPath of volume etcd-data", "--data-dir", ...)
  std::string manifests_dir;        // static pods: the kubelet's manifest dir
  std::vector<std::string> control_plane;  // manifests this run stops and starts again (file names)
  int apiserver_port = 6443;
  std::string old_data_dir, new_data_dir;
  std::string old_wal_dir, new_wal_dir;  // empty: the WAL is inside the data dir

  // The restore.
  std::string snapshot;  // as given (a host path)
  std::string snapshot_sha256;
  bool skip_hash_check = false;
  std::string name;
  std::string initial_cluster;
  std::string cluster_token;
  std::vector<std::string> peer_urls;
  uint64_t bump_revision = 0;
  int64_t expected_revision = 0;
  int members = 1;
  bool quorum_after = true;  // this member completes a quorum of restored members

  EtcdIdentity old_etcd;
  uint64_t new_cluster_id = 0;
  uint64_t new_member_id = 0;

  // Follow-ups.
  bool update_kubeadm_config = false;
  bool kubeadm_config_updated = false;
  bool restart_kubelet = false;
};

std::string JournalToJson(const Journal& j);
// DataLoss for a file that is not a journal of this format (wrong types included).
absl::StatusOr<Journal> JournalFromJson(const std::string& text);

// "<host root><backup_dir>/state.json".
std::string JournalPath(const std::string& host_root, const Journal& j);
absl::Status SaveJournal(NodeOps& ops, const std::string& host_root, const Journal& j);
// Called after every journal write that reached the disk (tests: a kill at a step boundary).
using JournalSavedHook = void (*)(const Journal&);
void SetJournalSavedHook(JournalSavedHook hook);
absl::StatusOr<Journal> LoadJournal(NodeOps& ops, const std::string& path);

// One run found under the backup base.
struct RunEntry {
  std::string id;
  std::string path;           // of its state.json (host path)
  absl::StatusOr<Journal> journal = absl::UnknownError("not read");
};
// Every run dir under `base` (a host path) that holds a state.json, newest first (run IDs
// are UTC timestamps). An empty list when `base` does not exist.
std::vector<RunEntry> ListRuns(NodeOps& ops, const std::string& base);

}  // namespace ketcd::noderestore
