#pragma once
// What a restore changed on this node, kept as "<backup dir>/state.json" (written
// durably after every change) so that `kubectl etcd restore --undo` can return to the
// state before it: the original manifest or unit file, the control-plane manifests
// that were moved, the old and new data dirs.

#include <cstdint>
#include <string>
#include <vector>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

struct State {
  std::string kind;            // "kubeadm", "static-pod", "systemd"
  std::string phase;           // "started", "restored", "done", "rolled-back", "undone"
  std::string started;         // UTC timestamp, also the backup dir's name
  std::string host_root;
  std::string backup_dir;      // host path without the host root
  std::string definition_file; // manifest/unit/env/config file that was patched (no host root)
  std::string definition_backup;  // its original copy in the backup dir (no host root)
  std::string manifests_dir;   // static pods (no host root)
  std::vector<std::string> moved;  // control-plane manifests moved out (file names)
  std::string old_data_dir;    // as written in the definition file
  std::string new_data_dir;
  std::string snapshot;
  std::string snapshot_sha256;
  std::string cluster_token;
  uint64_t old_cluster_id = 0;  // 0: etcd did not answer before the restore
  uint64_t new_cluster_id = 0;
  bool kubeadm_config_updated = false;
};

std::string StateToJson(const State& s);
absl::StatusOr<State> StateFromJson(const std::string& text);

// "<backup_dir>/state.json" under `host_root`.
absl::Status SaveState(const State& s);
absl::StatusOr<State> LoadState(const std::string& path);

// The newest backup dir under `base` (a host path) that holds a state.json whose phase
// can be undone ("done" or "restored"). NotFound if none.
absl::StatusOr<std::string> LatestStateFile(const std::string& base);

}  // namespace ketcd::noderestore
