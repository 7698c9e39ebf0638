#pragma once
// `snapshot status` computed the way etcd does (etcdctl 3.4 / etcdutl 3.5, 3.6, 3.7), plus
// what we add: integrity report, SHA-256 trailer state, per-bucket counts and, on request,
// a Kubernetes-oriented look at the keys (inspect.h).
//
// Hash: CRC-32C over, for every top-level bucket in order, its name then each key and value.
// TotalKey: 3.4/3.5 count every entry of every bucket; 3.6+ count live user keys in the
// `key` bucket. We follow the version that wrote the file: meta/storageVersion present =>
// 3.6+ semantics. Revision: main revision of the last key in `key`. TotalSize: high-water
// mark * page size.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pkg/bbolt/check.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/trailer.h"
#include "pkg/snapshot/inspect.h"

namespace ketcd::snapshot {

enum class KeyCountSemantics {
  kAllEntries,  // etcd 3.4 and 3.5: every key of every bucket
  kLiveKeys,    // etcd 3.6+: distinct live user keys in the `key` bucket
};
const char* SemanticsName(KeyCountSemantics s);  // "3.4/3.5" or "3.6+"

struct StatusOptions {
  bool check_integrity = true;  // bbolt tx.Check() equivalent
  bool check_trailer = true;    // SHA-256 trailer (off: only whether one is there, kNotChecked)
  bool inspect = false;         // fill SnapshotStatus::inspect
};

// The status of one snapshot file (or data dir db): etcd's figures and ours.
struct SnapshotStatus {
  // The values etcdctl/etcdutl print.
  uint32_t hash = 0;
  int64_t revision = 0;
  int64_t total_key = 0;
  int64_t total_size = 0;
  std::string version;  // meta/storageVersion, "" if absent or unparsable
  bool has_storage_version = false;
  KeyCountSemantics semantics = KeyCountSemantics::kAllEntries;

  // Ours.
  uint32_t page_size = 0;
  uint64_t file_size = 0;
  int meta_page = 0;
  uint64_t txid = 0;
  std::vector<std::string> meta_warnings;
  bool integrity_checked = false;
  bbolt::CheckReport integrity;
  bbolt::TrailerCheck trailer;
  std::vector<std::pair<std::string, uint64_t>> buckets;  // name, entry count
  Inspection inspect;
};

// Never fails for integrity problems (they are in SnapshotStatus::integrity); fails with DataLoss
// when the tree cannot be walked or a `key` entry cannot be parsed (as etcdutl 3.6 does).
// OK when the report is clean; otherwise DataLoss with etcd's message
// ("snapshot file integrity check failed. N errors found." and one problem per line).
absl::Status IntegrityStatus(const bbolt::CheckReport& report);

// SnapshotStatus::revision without the walk: the main revision of the last key in `key` (0 when there
// is none), read down the rightmost path of the tree. DataLoss if that key is not a revision.
absl::StatusOr<int64_t> LatestRevision(const bbolt::Db& db);

// DataLoss, whatever the walk found, when the file shrank or failed I/O during it
// (Db::CheckIntact).
absl::StatusOr<SnapshotStatus> ComputeStatus(const bbolt::Db& db, const StatusOptions& options);

}  // namespace ketcd::snapshot
