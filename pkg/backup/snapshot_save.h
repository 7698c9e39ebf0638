#pragma once
// Saving a consistent snapshot of a live etcd member over Maintenance.Snapshot.
// The file is written as <path>.part (0600, flocked while written: see atomic_file.h), every
// byte is hashed as it arrives and the SHA-256 trailer the server appends is checked against
// the bytes actually received (etcdctl only checks the length), the revision is read back
// from the received database, then it is fsynced and renamed into place and the directory
// fsynced. Any failure or Ctrl-C leaves no file behind. Writing runs on a thread of its own
// (sink.h): when a write or fsync hangs (a hung file system), Ctrl-C and the stall timeout
// still end the run; the .part may then stay behind, unlocked, and the next backup replaces it.
// <path> and <path>.json are both refused before the stream starts unless `force`.
// An s3://BUCKET/KEY path is streamed as a multipart upload instead (s3_target.h), with
// the same checks before it is completed.

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "pkg/base/progress.h"
#include "pkg/backup/s3_target.h"
#include "pkg/base/status.h"
#include "pkg/envelope/seal.h"
#include "pkg/etcdclient/client.h"

namespace ketcd::backup {

struct SaveOptions {
  std::string path;  // destination file, "-" for stdout, or s3://BUCKET/KEY (then `s3` is set)
  bool force = false;  // replace an existing file
  std::chrono::milliseconds stall_timeout{60000};
  ProgressFn progress;  // bytes received of the expected file size; empty: not reported
  // Compression and encryption of what is written; `path` must then end in
  // envelope::FileSuffix. The checks above run on the snapshot as etcd sent it; the
  // revision is not read back from a sealed file (0, as for standard output).
  envelope::SealOptions seal;
  S3Target s3;  // an s3:// path: where and how (s3_target.h)
};

struct SaveResult {
  std::string path;
  uint64_t size = 0;              // bytes of the snapshot, trailer included
  std::string sha256;             // of the whole snapshot, as sha256sum prints it (of the plain
                                  // snapshot, before compression and encryption)
  uint64_t file_size = 0;         // bytes written (== size unless sealed)
  std::string compression = "none";  // envelope::CompressionName
  std::string encryption = "none";   // envelope::EncryptionName
  std::string db_sha256;          // the trailer: sha256 of the database image
  int64_t revision = 0;           // of the saved database: its latest revision, as `status` reports it
                                  // (read back from the file; 0 for standard output)
  bool revision_read = false;     // a plain file: `revision` was read back
  std::string etcd_version;       // server version (Status)
  std::string storage_version;    // 3.6+: storage version the stream reports
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  std::string member_name;
  std::string endpoint;
  std::string node_name;          // this host's name
  int64_t created_at = 0;         // unix seconds
  double duration_seconds = 0;
};

// `status` is the member's Status answer (SelectMember has it already).
absl::StatusOr<SaveResult> SaveSnapshot(etcdclient::Client& client, const etcdserverpb::StatusResponse& status,
                                        const std::string& member_name, const SaveOptions& opts);

// The metadata written beside a snapshot as <path>.json. Strings that are not valid UTF-8
// (a file name in another encoding) are written as "base64:..." (pkg/cli/json_text.h).
std::string MetadataJson(const SaveResult& r);

// "etcd-snapshot-<member>-<UTC time>.db"
std::string DefaultSnapshotName(const std::string& member_name, int64_t unix_seconds);

}  // namespace ketcd::backup
