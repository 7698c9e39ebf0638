#include "pkg/noderestore/preflight.h"

#include <sys/statvfs.h>

#include <optional>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "pkg/base/sha256.h"
#include "pkg/bbolt/db.h"
#include "pkg/fsutil/file.h"
#include "pkg/snapshot/status.h"

namespace ketcd::noderestore {
namespace {

absl::StatusOr<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  Sha256 h;
  std::string buf(1 << 20, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return DigestHex(h.Final());
}

}  // namespace

absl::StatusOr<SnapshotInfo> CheckSnapshot(const std::string& path, bool skip_hash_check) {
  if (!fsutil::PathExists(path)) return absl::NotFoundError(absl::StrCat("snapshot ", path, " does not exist"));
  auto db = bbolt::Db::Open(path);
  if (!db.ok()) return absl::DataLossError(absl::StrCat(path, ": ", db.status().message()));
  snapshot::StatusOptions so;
  so.check_integrity = true;
  so.check_trailer = true;
  auto st = snapshot::ComputeStatus(**db, so);
  if (!st.ok()) return absl::DataLossError(absl::StrCat(path, ": ", st.status().message()));
  SnapshotInfo info;
  info.size = st->file_size;
  info.revision = st->revision;
  info.version = st->version;
  if (st->trailer.state == bbolt::TrailerState::kMismatch) {
    return absl::DataLossError(absl::StrCat(path, ": SHA-256 mismatch (stored ", st->trailer.stored_hex,
                                            ", computed ", st->trailer.computed_hex, "): the file is corrupt"));
  }
  if (st->trailer.state == bbolt::TrailerState::kMatch) {
    info.sha256 = st->trailer.stored_hex;
    info.hash_checked = true;
  } else if (!skip_hash_check) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " has no SHA-256 trailer (a copied member/snap/db?); pass --skip-hash-check to restore it anyway"));
  } else {
    KETCD_ASSIGN_OR_RETURN(info.sha256, HashFile(path));
  }
  absl::Status integrity = snapshot::IntegrityStatus(st->integrity);
  if (!integrity.ok()) return absl::DataLossError(absl::StrCat(path, ": ", integrity.message()));
  return info;
}

absl::StatusOr<int64_t> LatestRevision(const std::string& db_path) {
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::Db> db, bbolt::Db::Open(db_path));
  KETCD_ASSIGN_OR_RETURN(std::optional<bbolt::Bucket> bucket, db->FindBucket(db->root(), "key"));
  if (!bucket) return absl::NotFoundError(absl::StrCat(db_path, " has no bucket \"key\""));
  std::string last;
  KETCD_RETURN_IF_ERROR(db->ForEach(*bucket, [&](const bbolt::Entry& e) {
    if (e.key > last) last = std::string(e.key);
    return absl::OkStatus();
  }));
  KETCD_RETURN_IF_ERROR(db->CheckIntact());
  if (last.size() < 8) return absl::NotFoundError(absl::StrCat(db_path, " holds no revision"));
  uint64_t rev = 0;
  for (int i = 0; i < 8; i++) rev = rev << 8 | static_cast<uint8_t>(last[i]);
  return static_cast<int64_t>(rev);
}

namespace {
std::optional<uint64_t> g_free_bytes_override;
}  // namespace

void OverrideFreeBytes(std::optional<uint64_t> bytes) { g_free_bytes_override = bytes; }

absl::StatusOr<uint64_t> FreeBytes(const std::string& dir, bool* overridden) {
  *overridden = g_free_bytes_override.has_value();
  if (*overridden) return *g_free_bytes_override;
  std::string d = dir;
  while (!fsutil::PathExists(d) && d.size() > 1) d = fsutil::Dirname(d);
  struct statvfs vfs;
  if (::statvfs(d.c_str(), &vfs) != 0) return fsutil::ErrnoError("statvfs", d, errno);
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

uint64_t NeededBytes(uint64_t snapshot_size) {
  uint64_t base = snapshot_size + 64'000'000;
  return base + base / 10 + (16u << 20);
}

}  // namespace ketcd::noderestore
