#pragma once
// `snapshot restore`, natively: turns an etcd snapshot into a data directory that a
// fresh etcd member (3.4 to 3.7) starts from, with the files etcdutl would write.
//
// Order of work (each step fails before anything is visible at the target):
//  1. flags (restore_options.h); refuse a non-empty data dir or an existing WAL dir;
//  2. decode a compressed or encrypted snapshot into a private temp dir beside the data dir
//     (removed on every path); open the snapshot, verify the SHA-256 trailer (unless skip_hash_check) and the
//     bbolt integrity check;
//  3. build <data-dir> in a staging dir beside it (staging_dir.h): member/snap/db
//     copied from the snapshot and patched with the restore edits (backend_edit.h,
//     db_patch.h), the .snap file, the WAL;
//     every file and directory fsynced; the new db reopened and checked;
//  4. rename into place (WAL dir first when it is outside the data dir), fsync parents.
// A failure or Ctrl-C (Cancelled) removes the staging dirs; a crash leaves at most a
// marked staging dir that the next restore removes.

#include <cstdint>
#include <string>

#include "pkg/base/status.h"
#include "pkg/restore/db_stream.h"
#include "pkg/restore/etcd_format.h"
#include "pkg/restore/restore_options.h"

namespace ketcd::restore {

struct RestoreResult {
  RestorePlan plan;
  EtcdFormat format = EtcdFormat::k35;
  bool format_detected = false;     // from the snapshot's meta bucket, not --etcd-version
  std::string storage_version;      // meta/storageVersion of the snapshot ("" before 3.6)
  bool hash_checked = false;
  std::string sha256;               // the trailer, when present
  bool compressed = false;          // the file was zstd-compressed
  bool encrypted = false;           // the file was age-encrypted
  int64_t revision = 0;             // latest main revision in the snapshot
  int64_t bumped_revision = 0;      // new latest (and compacted) revision; 0 without a bump
  uint64_t revisions = 0;           // entries in the `key` bucket
  uint64_t members_dropped = 0;     // old members/members_removed entries
  uint64_t snapshot_db_size = 0;
  uint64_t db_size = 0;             // size of the written member/snap/db
  std::string db_path, snap_path, wal_path;
};

absl::StatusOr<RestoreResult> Restore(const RestoreOptions& opts, const ProgressFn& progress = {});

}  // namespace ketcd::restore
