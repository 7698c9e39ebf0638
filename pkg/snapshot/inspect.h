#pragma once
// A look inside a snapshot for Kubernetes operators: live keys grouped by
// /registry/<resource>/ with per-namespace counts, compaction, revisions kept, leases,
// auth, members and alarms. Filled by ComputeStatus (status.h) in the same pass.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "pkg/bbolt/db.h"

namespace ketcd::snapshot {

struct ResourceCount {
  uint64_t keys = 0;
  uint64_t bytes = 0;                         // value bytes of the live revisions
  std::map<std::string, uint64_t> namespaces;  // empty for cluster-scoped resources
};

struct MemberInfo {
  std::string id_hex;
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
  bool is_learner = false;
};

struct AlarmInfo {
  std::string member_id_hex;
  std::string alarm;  // "NOSPACE", "CORRUPT" or the number
};

struct Inspection {
  // Key bucket.
  uint64_t revisions_kept = 0;        // entries in `key` (all revisions still stored)
  uint64_t tombstones = 0;
  int64_t oldest_revision = 0;        // smallest main revision stored
  int64_t compacted_revision = 0;     // meta/finishedCompactRev, 0 if none
  int64_t scheduled_compact_revision = 0;
  uint64_t live_keys = 0;
  uint64_t live_value_bytes = 0;
  std::map<std::string, ResourceCount> resources;  // "pods", "apps/deployments", "(not /registry)"
  // Other buckets.
  uint64_t leases = 0;
  uint64_t keys_with_lease = 0;
  bool auth_enabled = false;
  uint64_t auth_revision = 0;
  std::vector<std::string> users, roles;
  std::vector<MemberInfo> members;
  std::vector<std::string> removed_members;
  std::vector<AlarmInfo> alarms;
  std::string cluster_version;
  uint64_t consistent_index = 0;
  uint64_t term = 0;
  bool has_term = false;
};

// Collects one `key` bucket entry (called in key order).
class KeyInspector {
 public:
  void Add(std::string_view rev_key, int64_t main_rev, bool tombstone, std::string_view user_key,
           uint64_t value_bytes, int64_t lease);
  void Finish(Inspection& out);

 private:
  struct Latest {
    bool live = false;
    uint64_t value_bytes = 0;
    bool has_lease = false;
  };
  std::unordered_map<std::string, Latest> latest_;
  uint64_t revisions_ = 0, tombstones_ = 0;
  int64_t oldest_ = 0;
};

// Reads the small buckets (meta, auth*, members*, alarm, lease, cluster) into `out`.
absl::Status InspectOtherBuckets(const bbolt::Db& db, Inspection& out);

}  // namespace ketcd::snapshot
