#include "pkg/restore/restore.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pkg/base/bytes.h"
#include "pkg/base/format.h"
#include "pkg/bbolt/check.h"
#include "pkg/bbolt/db.h"
#include "pkg/bbolt/patch.h"
#include "pkg/bbolt/trailer.h"
#include "pkg/bbolt/writer.h"
#include "pkg/fsutil/atomic_file.h"
#include "pkg/fsutil/file.h"
#include "pkg/restore/backend_edit.h"
#include "pkg/restore/db_copy.h"
#include "pkg/restore/db_patch.h"
#include "pkg/restore/snap_file.h"
#include "pkg/restore/staging_dir.h"
#include "pkg/restore/wal_writer.h"

namespace ketcd::restore {
namespace {

absl::Status Mkdir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0) return fsutil::ErrnoError("create directory", dir, errno);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> MetaValue(const bbolt::Db& db, std::string_view key) {
  KETCD_ASSIGN_OR_RETURN(auto meta, db.FindBucket(db.root(), "meta"));
  if (!meta) return std::optional<std::string>();
  KETCD_ASSIGN_OR_RETURN(auto e, db.Find(*meta, key));
  if (!e) return std::optional<std::string>();
  return std::optional<std::string>(std::string(e->value));
}

absl::Status CheckTargets(const RestorePlan& plan) {
  auto empty = fsutil::IsMissingOrEmptyDir(plan.data_dir);
  if (!empty.ok() || !*empty) {
    return absl::FailedPreconditionError(absl::StrCat("data-dir \"", plan.data_dir, "\" not empty or could not be read"));
  }
  if (!plan.wal_dir_is_default && fsutil::PathExists(plan.wal_dir)) {
    return absl::FailedPreconditionError(absl::StrCat("wal-dir \"", plan.wal_dir, "\" exists"));
  }
  return absl::OkStatus();
}

// The WAL dir relative to the data dir when it lies inside it ("" otherwise).
std::string WalInsideDataDir(const RestorePlan& plan) {
  if (plan.wal_dir_is_default) return "member/wal";
  std::string prefix = plan.data_dir;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  prefix += "/";
  if (absl::StartsWith(plan.wal_dir, prefix) && plan.wal_dir.size() > prefix.size()) {
    return plan.wal_dir.substr(prefix.size());
  }
  return "";
}

absl::Status TrailerError(const RestoreOptions& opts, const bbolt::TrailerCheck& t) {
  if (opts.skip_hash_check) return absl::OkStatus();
  if (t.state == bbolt::TrailerState::kAbsent) {
    return absl::DataLossError(absl::StrCat(opts.snapshot_path, ": snapshot missing hash but --skip-hash-check=false"));
  }
  if (t.state == bbolt::TrailerState::kMismatch) {
    return absl::DataLossError(
        absl::StrCat(opts.snapshot_path, ": expected sha256 ", t.stored_hex, ", got ", t.computed_hex));
  }
  return absl::OkStatus();
}

absl::Status CheckError(const RestoreOptions& opts, const bbolt::CheckReport& report) {
  if (report.ok()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(opts.snapshot_path, ": integrity check failed (", report.problem_count,
                                          " problems): ", report.problems.empty() ? "" : report.problems[0]));
}

// The bulk path: verify everything first, then rewrite every page.
absl::Status WriteDbCompact(const RestoreOptions& opts, const bbolt::Db& src, const BackendEditOptions& edit,
                            const std::string& db_path, const ProgressFn& progress, RestoreResult* r) {
  bbolt::TrailerCheck t;
  if (bbolt::HasSha256Trailer(src.file_size())) {
    t = bbolt::CheckSha256Trailer(src.data());
    r->sha256 = t.stored_hex;
  }
  KETCD_RETURN_IF_ERROR(TrailerError(opts, t));
  KETCD_RETURN_IF_ERROR(CheckError(opts, bbolt::Check(src)));
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::BulkWriter> writer, bbolt::BulkWriter::Create(db_path));
  BulkWriterSink sink(writer.get());
  BackendEditor editor(edit, &sink);
  KETCD_RETURN_IF_ERROR(StreamDb(src, &editor, progress));
  r->revision = editor.result().latest_main;
  r->bumped_revision = editor.result().bumped_revision;
  r->revisions = editor.result().keys_in;
  r->members_dropped = editor.result().members_dropped;
  r->db_size = sink.file_size();
  return absl::OkStatus();
}

// The patch path: the integrity check (and counting `key`) runs on a second thread while
// this one copies and hashes the image; then the edited buckets are patched in.
absl::Status WriteDbPatched(const RestoreOptions& opts, const bbolt::Db& src, const BackendEditOptions& edit,
                            const std::string& db_path, const ProgressFn& progress, RestoreResult* r) {
  bbolt::CheckReport report;
  absl::StatusOr<uint64_t> keys = uint64_t{0};
  std::thread checker([&] {
    // The SHA-256 pass is the critical path of a restore: the check yields to it.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    report = bbolt::Check(src);
    if (!report.ok()) return;
    auto key = src.FindBucket(src.root(), "key");
    if (!key.ok()) {
      keys = key.status();
    } else if (key->has_value()) {
      keys = bbolt::CountEntries(src, **key);
    }
  });
  absl::Cleanup join = [&] { checker.join(); };
  KETCD_ASSIGN_OR_RETURN(DbChanges changes, PlanDbChanges(src, edit));
  KETCD_ASSIGN_OR_RETURN(bbolt::Patch patch, bbolt::PlanPatch(src, changes.changes));
  int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fsutil::ErrnoError("create", db_path, errno);
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  ImageCopyOptions copy;
  copy.copy_bytes = src.db_size();
  copy.hash = !opts.skip_hash_check;
  copy.progress = progress;
  if (src.file() == nullptr) return absl::InternalError("restore: the snapshot is not a mapped file");
  // The copy reads the file `src` mapped and checked, not whatever its path names now.
  KETCD_ASSIGN_OR_RETURN(bbolt::TrailerCheck t, CopyImage(*src.file(), fd, copy));
  r->sha256 = t.stored_hex;
  KETCD_RETURN_IF_ERROR(TrailerError(opts, t));
  std::move(join).Invoke();
  KETCD_RETURN_IF_ERROR(CheckError(opts, report));
  KETCD_RETURN_IF_ERROR(keys.status());
  KETCD_RETURN_IF_ERROR(bbolt::WritePatch(fd, patch));
  if (::fsync(fd) != 0) return fsutil::ErrnoError("fsync", db_path, errno);
  r->revision = changes.result.latest_main;
  r->bumped_revision = changes.result.bumped_revision;
  r->revisions = *keys;
  r->members_dropped = changes.result.members_dropped;
  r->db_size = patch.file_size();
  return absl::OkStatus();
}

// Reopens the written db: metas, consistent index, member count, and (full_check) the
// whole integrity check. A patched file only adds pages to a tree that passed the check.
absl::Status VerifyWrittenDb(const std::string& path, const RestorePlan& plan, bool full_check) {
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::Db> db, bbolt::Db::Open(path));
  if (full_check) {
    bbolt::CheckReport report = bbolt::Check(*db);
    if (!report.ok()) {
      return absl::InternalError(absl::StrCat(path, ": written database fails the integrity check: ",
                                              report.problems.empty() ? "" : report.problems[0]));
    }
  }
  KETCD_ASSIGN_OR_RETURN(auto ci, MetaValue(*db, "consistent_index"));
  if (!ci || ci->size() != 8 || LoadBE64(ci->data()) != plan.members.size()) {
    return absl::InternalError(absl::StrCat(path, ": written database has a wrong meta/consistent_index"));
  }
  KETCD_ASSIGN_OR_RETURN(auto members, db->FindBucket(db->root(), "members"));
  uint64_t n = 0;
  if (members) {
    KETCD_RETURN_IF_ERROR(db->ForEach(*members, [&](const bbolt::Entry&) {
      n++;
      return absl::OkStatus();
    }));
  }
  if (n != plan.members.size()) {
    return absl::InternalError(absl::StrCat(path, ": written database has ", n, " members, want ",
                                            plan.members.size()));
  }
  return db->CheckIntact();
}

}  // namespace

absl::StatusOr<RestoreResult> Restore(const RestoreOptions& opts, const ProgressFn& progress) {
  RestoreResult r;
  KETCD_ASSIGN_OR_RETURN(r.plan, PlanRestore(opts));
  const RestorePlan& plan = r.plan;
  const std::string wal_rel = WalInsideDataDir(plan);
  KETCD_RETURN_IF_ERROR(CheckTargets(plan));

  envelope::UnsealOptions unseal = opts.unseal;
  if (unseal.temp_parent.empty()) unseal.temp_parent = fsutil::Dirname(plan.data_dir);
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<envelope::Unsealed> plain, envelope::Unseal(opts.snapshot_path, unseal));
  r.compressed = plain->compressed();
  r.encrypted = plain->encrypted();
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<bbolt::Db> src, bbolt::Db::Open(plain->path()));
  if (!opts.skip_hash_check && !bbolt::HasSha256Trailer(src->file_size())) {
    return TrailerError(opts, bbolt::TrailerCheck{});
  }
  r.hash_checked = !opts.skip_hash_check;
  r.snapshot_db_size = src->db_size();
  auto storage_version = MetaValue(*src, "storageVersion");
  auto term = MetaValue(*src, "term");
  if (!storage_version.ok() || !term.ok()) {
    KETCD_RETURN_IF_ERROR(src->CheckIntact());
    return storage_version.ok() ? term.status() : storage_version.status();
  }
  r.storage_version = storage_version->value_or("");
  r.format_detected = !opts.format.has_value();
  r.format = opts.format ? *opts.format : DetectFormat(r.storage_version, term->has_value());

  // Build the data dir.
  KETCD_ASSIGN_OR_RETURN(std::unique_ptr<StagingDir> data, StagingDir::Create(plan.data_dir, 0700));
  const std::string member = fsutil::JoinPath(data->path(), "member");
  const std::string snap = fsutil::JoinPath(member, "snap");
  KETCD_RETURN_IF_ERROR(Mkdir(member));
  KETCD_RETURN_IF_ERROR(Mkdir(snap));

  const std::string db_path = fsutil::JoinPath(snap, "db");
  BackendEditOptions edit;
  edit.members = plan.members;
  edit.consistent_index = plan.members.size();
  edit.term = 1;
  edit.bump_revision = plan.bump_revision;
  edit.go122_json = GoJson122(r.format);
  absl::Status written = opts.compact_db ? WriteDbCompact(opts, *src, edit, db_path, progress, &r)
                                         : WriteDbPatched(opts, *src, edit, db_path, progress, &r);
  // A snapshot truncated or failing I/O meanwhile read as zeros: whatever was concluded from
  // it (the checks, the format, the copy) is void.
  KETCD_RETURN_IF_ERROR(src->CheckIntact());
  KETCD_RETURN_IF_ERROR(written);
  src.reset();
  plain.reset();
  KETCD_RETURN_IF_ERROR(VerifyWrittenDb(db_path, plan, opts.compact_db));

  SnapFile sf = BuildRestoreSnap(plan, r.format);
  fsutil::AtomicFile::Options snap_opts;
  snap_opts.mode = 0644;
  KETCD_RETURN_IF_ERROR(fsutil::WriteFileAtomically(fsutil::JoinPath(snap, sf.name), sf.content, snap_opts));
  KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(snap));

  const std::string wal = BuildRestoreWal(plan, r.format);
  std::unique_ptr<StagingDir> wal_stage;
  if (!wal_rel.empty()) {
    std::string wal_dir = fsutil::JoinPath(data->path(), wal_rel);
    KETCD_RETURN_IF_ERROR(fsutil::MkdirAll(wal_dir, 0700));
    KETCD_RETURN_IF_ERROR(WriteWalSegment(wal_dir, wal));
    KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(fsutil::Dirname(wal_dir)));
  } else {
    KETCD_ASSIGN_OR_RETURN(wal_stage, StagingDir::Create(plan.wal_dir, 0700));
    KETCD_RETURN_IF_ERROR(WriteWalSegment(wal_stage->path(), wal));
  }
  KETCD_RETURN_IF_ERROR(fsutil::FsyncDir(member));

  if (wal_stage) KETCD_RETURN_IF_ERROR(wal_stage->Commit());
  absl::Status s = data->Commit();
  if (!s.ok()) {
    if (wal_stage) (void)fsutil::RemoveAll(plan.wal_dir);
    return s;
  }
  r.db_path = fsutil::JoinPath(plan.snap_dir, "db");
  r.snap_path = fsutil::JoinPath(plan.snap_dir, sf.name);
  r.wal_path = fsutil::JoinPath(plan.wal_dir, kFirstWalName);
  return r;
}

}  // namespace ketcd::restore
