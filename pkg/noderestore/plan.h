#pragma once
// The plan of an orchestrated restore on a control-plane node: everything it will do,
// worked out (and checked) before anything changes, printed for confirmation and by
// --dry-run. Building a plan reads files and asks etcd; it writes nothing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pkg/base/status.h"
#include "pkg/discovery/discovery.h"
#include "pkg/etcdclient/client.h"
#include "pkg/noderestore/journal.h"

namespace ketcd::noderestore {

inline constexpr uint64_t kDefaultBumpRevision = 1'000'000'000;
inline constexpr char kDefaultBackupBase[] = "/etc/kubernetes/kubectl-etcd-backups";
inline constexpr char kControlPlaneManifests[3][32] = {"kube-apiserver.yaml", "kube-controller-manager.yaml",
                                                       "kube-scheduler.yaml"};

struct PlanOptions {
  std::string snapshot;
  std::string host_root = "/";
  discovery::EtcdTarget target;          // what discovery found (paths under host_root)
  etcdclient::ConnectionConfig connection;
  // Overrides of what the manifest and etcd's member list say.
  std::string name, initial_cluster, initial_cluster_token, initial_advertise_peer_urls;
  uint64_t bump_revision = kDefaultBumpRevision;
  bool skip_hash_check = false;
  std::string backup_base = kDefaultBackupBase;  // host path without the root
  bool kubeadm_config = true;
  bool restart_kubelet = false;
  std::string kubeconfig;                // --kubeconfig, for the kubeadm-config update
  std::chrono::seconds wait_timeout{300};
  std::string timestamp;                 // UTC "20260102T030405Z"; empty: now
};

struct PlanMember {
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool this_node = false;
};

struct Plan {
  PlanOptions opts;
  Layout layout = Layout::kKubeadm;
  std::string timestamp;

  // Snapshot.
  std::string snapshot;
  uint64_t snapshot_size = 0;
  std::string snapshot_sha256;      // trailer (or whole-file hash without one)
  bool hash_checked = false;
  int64_t snapshot_revision = 0;
  std::string etcd_version;         // storage version in the snapshot, if any

  // Disk.
  uint64_t free_bytes = 0;
  uint64_t needed_bytes = 0;
  bool free_bytes_overridden = false;

  // Data dirs: "raw" as written in the manifest/unit (no host root), "host" under the root.
  std::string old_data_dir_raw, old_data_dir;
  std::string new_data_dir_raw, new_data_dir;
  // A WAL dir of its own (--wal-dir): restored beside the old one as well. Empty: none.
  std::string old_wal_dir_raw, new_wal_dir_raw;

  // Membership.
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<PlanMember> members;
  std::string members_from;         // "etcd member list" or "--initial-cluster in <file>"
  std::string initial_cluster;
  std::string cluster_token;
  std::string token_from;
  EtcdIdentity old_etcd;            // cluster ID 0 when etcd did not answer
  uint64_t new_cluster_id = 0;
  uint64_t new_member_id = 0;
  int restored_members = 0;         // other members already running the restored cluster
  bool quorum_after = true;         // this member completes a quorum of restored members
  uint64_t bump_revision = 0;
  int64_t expected_revision = 0;    // served after the restore

  // Files.
  std::string definition_file;      // under the root
  std::string definition_file_raw;
  std::string data_dir_key;
  std::string original_text, patched_text;
  std::vector<std::string> diff;
  std::string manifests_dir;        // static pods, under the root
  std::vector<std::string> control_plane;  // control-plane manifests present (file names)
  int apiserver_port = 6443;
  std::string backup_base;          // under the root
  std::string backup_dir;           // under the root
  std::string backup_dir_raw;

  std::vector<std::string> notes;   // warnings and advice

  // The run's journal as it starts: everything the steps need (steps.h).
  Journal journal;
};

// Builds and checks the plan: snapshot hash and integrity, free space, membership,
// the patched definition file. Errors: DataLoss (snapshot), FailedPrecondition (disk,
// a member restored from another snapshot), InvalidArgument (malformed manifest or unit).
absl::StatusOr<Plan> BuildPlan(const PlanOptions& opts);

nlohmann::ordered_json PlanJson(const Plan& plan);
std::string PlanText(const Plan& plan);

// "20260102T030405Z" for now.
std::string UtcTimestamp();

// The new data dir beside `old` ("/var/lib/etcd" -> "/var/lib/etcd-restored-<id>"). Every
// member restored from one snapshot uses the same <id> (the start of its SHA-256), so the
// dir has the same name on every node.
std::string NewDataDirBeside(const std::string& old, const std::string& id);

}  // namespace ketcd::noderestore
