#pragma once
// The flags of `snapshot restore`, with etcdutl's names and defaults, and their
// validation (etcdutl/snapshot/v3_snapshot.go Restore, server/config VerifyBootstrap,
// membership NewClusterFromURLsMap). Validation touches no file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pkg/base/status.h"
#include "pkg/envelope/unseal.h"
#include "pkg/restore/etcd_format.h"
#include "pkg/restore/member.h"

namespace ketcd::restore {

inline constexpr char kDefaultName[] = "default";
inline constexpr char kDefaultInitialCluster[] = "default=http://localhost:2380";
inline constexpr char kDefaultToken[] = "etcd-cluster";
inline constexpr char kDefaultPeerUrls[] = "http://localhost:2380";

struct RestoreOptions {
  std::string snapshot_path;
  std::string data_dir;  // "" -> "<name>.etcd"
  std::string wal_dir;   // "" -> "<data-dir>/member/wal"
  std::string name = kDefaultName;
  std::string initial_cluster = kDefaultInitialCluster;
  std::string initial_cluster_token = kDefaultToken;
  std::string initial_advertise_peer_urls = kDefaultPeerUrls;  // comma-separated
  bool skip_hash_check = false;
  uint64_t bump_revision = 0;
  bool mark_compacted = false;
  // Byte layout to reproduce; nullopt: detect from the snapshot (meta/storageVersion,
  // meta/term), see DetectFormat in restore.h.
  std::optional<EtcdFormat> format;
  // Rewrite member/snap/db compactly (every page through bbolt::BulkWriter) instead of
  // copying the snapshot's image and patching the edited buckets copy-on-write. Same
  // buckets, keys and values either way; the patch is several times faster.
  bool compact_db = false;
  // A compressed or encrypted snapshot is decoded first (envelope/unseal.h), by default into
  // a private directory beside the data dir.
  envelope::UnsealOptions unseal;
};

// Everything derived from the flags.
struct RestorePlan {
  std::string data_dir;
  std::string wal_dir;
  std::string snap_dir;              // <data-dir>/member/snap
  bool wal_dir_is_default = true;    // wal dir inside the data dir
  std::vector<Member> members;       // ascending ID
  uint64_t local_id = 0;             // member named --name
  uint64_t cluster_id = 0;
  uint64_t bump_revision = 0;        // 0: no bump, no compaction mark
};

// Checks flags exactly as etcdutl does, in its order, and computes IDs. Errors are
// InvalidArgument with etcd's wording where it has one.
absl::StatusOr<RestorePlan> PlanRestore(const RestoreOptions& opts);

}  // namespace ketcd::restore
