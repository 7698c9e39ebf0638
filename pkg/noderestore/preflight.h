#pragma once
// Checks made before anything on the node changes: the snapshot (SHA-256 trailer and
// bbolt integrity, as `kubectl etcd status` does) and the free space for the new dir.

#include <cstdint>
#include <optional>
#include <string>

#include "pkg/base/status.h"

namespace ketcd::noderestore {

struct SnapshotInfo {
  uint64_t size = 0;
  std::string sha256;       // the trailer when present, else the hash of the whole file
  bool hash_checked = false;
  int64_t revision = 0;
  std::string version;      // meta/storageVersion, "" before 3.6
};

// DataLoss for a trailer mismatch, a failed integrity check or an unreadable file;
// FailedPrecondition for a file without a trailer unless `skip_hash_check`.
absl::StatusOr<SnapshotInfo> CheckSnapshot(const std::string& path, bool skip_hash_check);

// The newest revision in an etcd db file (a member's member/snap/db while etcd is
// stopped, or a snapshot): the last key of bucket "key", whose first 8 bytes are the
// big-endian main revision.
absl::StatusOr<int64_t> LatestRevision(const std::string& db_path);

// Bytes available to root in the file system holding `dir` (or its nearest existing
// parent); `overridden` says whether OverrideFreeBytes replaced the figure.
absl::StatusOr<uint64_t> FreeBytes(const std::string& dir, bool* overridden);
// For tests of the refusal (unit tests, and the test-hooks build of the binary only).
void OverrideFreeBytes(std::optional<uint64_t> bytes);

// What a restore of a snapshot of `snapshot_size` bytes needs: the db (at most the
// snapshot's size), the preallocated 64 MB WAL segment, and a 10% + 16 MiB margin.
uint64_t NeededBytes(uint64_t snapshot_size);

}  // namespace ketcd::noderestore
